#!/usr/bin/env node
// The entra-guard command (`npx entra-guard doctor ...`). One command so far: doctor, the configuration
// doctor of lib/doctor.js. It reads the files, calls the pure checks, prints, and sets the exit status:
// 0 no errors (warnings too, unless --strict), 1 errors, 2 bad usage. Offline: it never opens a socket.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DoctorInputError, diagnose, exitCode, formatReport } from '../lib/doctor.js';

/** @typedef {import('../types/doctor.js').DoctorOptions} DoctorOptions */

const USAGE = `Usage: entra-guard doctor --manifest <app.json> --resource <url> [options]

Checks an Entra app registration (its manifest, as App registrations > your app > Manifest >
Download gives it, in Microsoft Graph or Azure AD Graph format) against an MCP server's
entra-guard options, offline, and reports each mismatch that makes sign-in fail
(AADSTS9010010 ...), every token fail (401 audience_invalid ...) or calls fail (403, empty
scp), with the fix.

  --manifest <file>          the app registration manifest (JSON)                 required
  --resource <url>           the resource the protected-resource metadata advertises:
                             the MCP server's URL (e.g. https://mcp.contoso.com/mcp)  required
  --tenant <id>              tenantId: a tenant GUID, or common / organizations / consumers
  --audience <value>         an accepted audience (repeatable)
                             default: the app's client id and identifier URIs
  --scope <value>            a delegated scope every call requires, as scp carries it
                             (mcp.tools; repeatable)
  --role <value>             an app role every call requires (repeatable)
  --accepted-version <v>     1.0 or 2.0 (repeatable); default both
  --scopes-supported <s>     scopes_supported as the metadata advertises it (repeatable, or
                             several separated by spaces or commas); default: none
  --options <file.json>      the same as JSON: { resource, tenantId, audience, requiredScopes,
                             requiredRoles, acceptedVersions, scopesSupported }; flags win
  --json                     print the report as JSON
  --strict                   warnings fail too (exit 1)
  -h, --help                 this text

Exit status: 0 no errors (warnings allowed unless --strict), 1 errors found, 2 bad usage.
`;

const MAIN_USAGE = `Usage: entra-guard <command> [options]

Commands:
  doctor    check an Entra app registration manifest against an MCP server's options
            (entra-guard doctor --help)

  -h, --help       this text
  -v, --version    the package version
`;

/** A usage error: the message is printed as it is, and the exit status is 2. */
class UsageError extends Error {}

const OPTION_KEYS = ['resource', 'tenantId', 'audience', 'requiredScopes', 'requiredRoles', 'acceptedVersions', 'scopesSupported'];

/**
 * A file's text, or a usage error naming it.
 * @param {string} path
 * @param {string} what
 */
function readText(path, what) {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = /** @type {NodeJS.ErrnoException} */ (error).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : /** @type {Error} */ (error).message;
    throw new UsageError(`cannot read the ${what} ${path}: ${reason}`);
  }
}

/**
 * A JSON file, parsed (a UTF-8 byte order mark, which some downloads carry, is skipped).
 * @param {string} path
 * @param {string} what
 * @returns {unknown}
 */
function readJson(path, what) {
  const text = readText(path, what).replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the ${what} ${path} is not valid JSON: ${/** @type {Error} */ (error).message}`);
  }
}

/**
 * `--options <file>`: the server's options as JSON.
 * @param {string} path
 * @returns {Partial<DoctorOptions>}
 */
function readOptionsFile(path) {
  const value = readJson(path, 'options file');
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`the options file ${path} must hold a JSON object`);
  const unknown = Object.keys(value).filter((key) => !OPTION_KEYS.includes(key));
  if (unknown.length) throw new UsageError(`the options file ${path} has unknown keys ${unknown.join(', ')}; known: ${OPTION_KEYS.join(', ')}`);
  return /** @type {Partial<DoctorOptions>} */ (value);
}

/**
 * `--accepted-version`: 1.0 / 2.0 (1, 2, v1, v2 too).
 * @param {string} value
 * @returns {'1.0' | '2.0'}
 */
function acceptedVersion(value) {
  const v = value.replace(/^v/i, '');
  if (v === '1' || v === '1.0') return '1.0';
  if (v === '2' || v === '2.0') return '2.0';
  throw new UsageError(`--accepted-version must be 1.0 or 2.0, not ${JSON.stringify(value)}`);
}

/**
 * The doctor's arguments: the manifest, the options (file, then flags), and the output switches.
 * @param {string[]} args
 */
function doctorArguments(args) {
  /** @type {ReturnType<typeof parseArgs>['values']} */
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        manifest: { type: 'string' },
        resource: { type: 'string' },
        tenant: { type: 'string' },
        audience: { type: 'string', multiple: true },
        scope: { type: 'string', multiple: true },
        role: { type: 'string', multiple: true },
        'accepted-version': { type: 'string', multiple: true },
        'scopes-supported': { type: 'string', multiple: true },
        options: { type: 'string' },
        json: { type: 'boolean' },
        strict: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError(/** @type {Error} */ (error).message);
  }
  const strings = (/** @type {unknown} */ v) => /** @type {string[] | undefined} */ (v);
  const help = values.help === true;
  if (help) return { help, manifestPath: '', options: /** @type {DoctorOptions} */ ({ resource: '' }), json: false, strict: false };
  const manifestPath = /** @type {string | undefined} */ (values.manifest);
  if (!manifestPath) throw new UsageError('--manifest <file> is required: the app registration manifest (App registrations > your app > Manifest > Download)');
  /** @type {Partial<DoctorOptions>} */
  const options = values.options ? readOptionsFile(/** @type {string} */ (values.options)) : {};
  if (values.resource !== undefined) options.resource = /** @type {string} */ (values.resource);
  if (values.tenant !== undefined) options.tenantId = /** @type {string} */ (values.tenant);
  if (values.audience) options.audience = strings(values.audience);
  if (values.scope) options.requiredScopes = strings(values.scope);
  if (values.role) options.requiredRoles = strings(values.role);
  if (values['accepted-version']) options.acceptedVersions = /** @type {string[]} */ (values['accepted-version']).map(acceptedVersion);
  if (values['scopes-supported']) options.scopesSupported = /** @type {string[]} */ (values['scopes-supported']).flatMap((v) => v.split(/[\s,]+/)).filter(Boolean);
  if (typeof options.resource !== 'string' || options.resource === '') {
    throw new UsageError('--resource <url> is required: the resource the protected-resource metadata advertises, the MCP server\'s URL (e.g. https://mcp.contoso.com/mcp)');
  }
  return { help, manifestPath, options: /** @type {DoctorOptions} */ (options), json: values.json === true, strict: values.strict === true };
}

/**
 * `entra-guard doctor ...`
 * @param {string[]} args
 * @returns {number} the exit status
 */
function doctor(args) {
  const { help, manifestPath, options, json, strict } = doctorArguments(args);
  if (help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const manifest = readJson(manifestPath, 'manifest');
  const report = diagnose(manifest, options);
  const status = exitCode(report, { strict });
  process.stdout.write(json ? `${JSON.stringify({ ...report, exitCode: status }, null, 2)}\n` : formatReport(report, { strict }));
  return status;
}

/** The package's version, from its package.json (beside bin/). */
function version() {
  try {
    return /** @type {{ version?: string }} */ (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * @param {string[]} argv the arguments after the script
 * @returns {number} the exit status
 */
function main(argv) {
  const [command, ...rest] = argv;
  if (command === 'doctor') return doctor(rest);
  if (command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(rest[0] === 'doctor' ? USAGE : MAIN_USAGE);
    return 0;
  }
  if (command === '-v' || command === '--version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  throw new UsageError(command === undefined ? 'a command is required' : `unknown command ${JSON.stringify(command)}`);
}

// A reader that closes the pipe early (`| head`) is not an error.
process.stdout.on('error', (error) => {
  if (/** @type {NodeJS.ErrnoException} */ (error).code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError || error instanceof DoctorInputError) {
    const command = process.argv[2] === 'doctor' ? 'entra-guard doctor' : 'entra-guard';
    process.stderr.write(`${command}: ${error.message}\nRun '${command} --help' for usage.\n`);
  } else {
    // Not the user's mistake: a bug. Still a message, not a stack trace.
    process.stderr.write(`entra-guard: internal error: ${/** @type {Error} */ (error)?.message ?? String(error)} (please report it)\n`);
  }
  process.exitCode = 2;
}
