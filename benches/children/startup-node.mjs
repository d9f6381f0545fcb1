// Child of bench.mjs, scenario 4: the baseline, Node itself starting an ES module and reading the fixture.
import { readFileSync } from 'node:fs';

JSON.parse(readFileSync(process.argv[2], 'utf8'));
process.stdout.write(JSON.stringify({ ms: performance.now() }));
