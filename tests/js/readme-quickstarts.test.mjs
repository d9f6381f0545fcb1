// The README's quick starts are the files the adapter tests run (examples/quickstarts/, verbatim), every
// quick-start file is in the README and used by a test, and the adapter table's "tested with" versions are
// the ones package.json installs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(`${ROOT}README.md`, 'utf8');
const files = readdirSync(`${ROOT}examples/quickstarts`).filter((f) => f.endsWith('.mjs'));

test('every quick start in examples/quickstarts is in the README verbatim, and a test imports it', () => {
  assert.ok(files.length >= 6);
  const tests = readdirSync(`${ROOT}tests/js`).filter((f) => f.endsWith('.test.mjs')).map((f) => readFileSync(`${ROOT}tests/js/${f}`, 'utf8')).join('\n');
  for (const file of files) {
    const text = readFileSync(`${ROOT}examples/quickstarts/${file}`, 'utf8').trimEnd();
    assert.ok(readme.includes(`\`\`\`js\n${text}\n\`\`\``), `README does not show examples/quickstarts/${file} verbatim`);
    assert.ok(tests.includes(`examples/quickstarts/${file}`), `no test runs examples/quickstarts/${file}`);
  }
});

test("the adapter table's tested versions are the installed devDependencies", () => {
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')).devDependencies;
  const table = readme.slice(readme.indexOf('| framework | import |'), readme.indexOf('Each adapter is a subpath'));
  const pairs = [...table.matchAll(/`([@a-z0-9/.-]+)` (\d+\.\d+\.\d+)/g)];
  assert.ok(pairs.length >= 15, `found ${pairs.length} versions`);
  for (const [, name, version] of pairs) assert.equal(version, pkg[name], `${name}: README says ${version}, package.json installs ${pkg[name]}`);
});
