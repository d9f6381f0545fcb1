// The README's layout table matches the tree: every path it names exists, and every source file of the
// core, the JS layer, its declarations and the demo page is named by it (as a path, a brace list or a
// file name in its row).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(`${ROOT}README.md`, 'utf8');
const table = readme.slice(readme.indexOf('## Layout'), readme.indexOf('## Tests'));
const rows = table.split('\n').filter((line) => line.startsWith('| `'));

/** `src/{a,b}.rs` → src/a.rs, src/b.rs */
const expand = (path) => {
  const m = /^(.*)\{([^}]+)\}(.*)$/.exec(path);
  return m ? m[2].split(',').map((part) => `${m[1]}${part}${m[3]}`) : [path];
};

const named = rows.flatMap((row) => {
  const [, pathCell, whatCell] = row.split('|');
  const paths = [...pathCell.matchAll(/`([^`]+)`/g)].flatMap((m) => expand(m[1]));
  const files = [...whatCell.matchAll(/`([^`/ ]+\.[a-z.]+)`/g)].map((m) => m[1]);
  return [...paths.map((path) => ({ path, files: [] })), ...paths.filter((p) => p.endsWith('/')).map((dir) => ({ path: dir, files }))];
});

test('every path in the README layout table exists', () => {
  assert.ok(rows.length > 10, 'the layout table was not found');
  for (const { path } of named) assert.ok(existsSync(`${ROOT}${path}`), `README names ${path}, which does not exist`);
});

test('every source file of the core, the JS layer, its types and the demo page is in the layout table', () => {
  const mentioned = (dir, file) => named.some(({ path, files }) => path === `${dir}${file}` || (path === dir && files.includes(file)));
  for (const dir of ['src/', 'src/rsa/', 'pkg-template/', 'pkg-template/lib/', 'pkg-template/types/', 'www/']) {
    for (const file of readdirSync(`${ROOT}${dir}`, { withFileTypes: true })) {
      if (!file.isFile() || /\.(css|svg|html|md)$|^tsconfig\.json$|^package\.json$/.test(file.name)) continue;
      const name = file.name.replace(/\.d\.ts$/, '');
      const ok = mentioned(dir, file.name) || named.some(({ path, files }) => path === dir && (files.includes(name) || files.some((f) => f.startsWith(`${name}.`))))
        || named.some(({ path }) => path === dir && table.includes(`\`${name}\``));
      assert.ok(ok, `${dir}${file.name} is not in the README's layout table`);
    }
  }
});
