// The hand-written declarations (pkg-template/types/) against the code (pkg-template/lib/): `tsc -p .`
// fails when a declared export is missing from the code or has an incompatible type, and when the code
// exports something the declarations do not mention. The code's own types come from its JSDoc.
import * as code from '../../pkg-template/lib/index.js';
import * as testingCode from '../../pkg-template/lib/testing.js';
import type * as declared from '../../pkg-template/types/index.js';
import type * as testingDeclared from '../../pkg-template/types/testing.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <T extends true>(_proof?: T): void => undefined;

// Every declared export exists in the code, with a type the declaration accepts.
export const api: typeof declared = code;
export const testing: typeof testingDeclared = testingCode;

// Nothing exported without a declaration.
same<Same<keyof typeof code, keyof typeof declared>>();
same<Same<keyof typeof testingCode, keyof typeof testingDeclared>>();
