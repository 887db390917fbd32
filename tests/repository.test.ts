import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = join(import.meta.dirname, '..');

/** The files a clone holds: tracked, plus new ones not ignored (what the next commit can add). */
function repositoryFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: root,
    encoding: 'utf8',
  });
  return out.split('\0').filter((f) => f !== '' && !f.startsWith('node_modules/'));
}

function textOf(file: string): string | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(root, file));
  } catch {
    return undefined; // deleted in the work tree, not yet in the index
  }
  return bytes.includes(0) ? undefined : bytes.toString('utf8');
}

// Spelled in pieces so that this file does not match itself.
const LEAVING = [
  { name: "the developers' shared folder", pattern: new RegExp(['\\.\\.', 'shared'].join('/')) },
  {
    name: 'a home directory',
    pattern: new RegExp(`(?:^|[\\s'"\`(=])/(?:${['home', 'Users'].join('|')})/[A-Za-z0-9_.-]+/`),
  },
  { name: "root's home directory", pattern: new RegExp(`(?:^|[\\s'"\`(=])/${'root'}/`) },
  { name: "the development machine's work folder", pattern: new RegExp(`(?:^|[\\s'"\`(=])/${'work'}/`) },
];

t.test('no file of the repository refers to a path outside it', async (t) => {
  const files = repositoryFiles();
  t.ok(files.includes('package.json') && files.length > 50, 'the scan sees the repository');
  const found: string[] = [];
  for (const file of files) {
    const text = textOf(file);
    if (text === undefined) continue;
    text.split('\n').forEach((line, i) => {
      for (const { name, pattern } of LEAVING)
        if (pattern.test(line)) found.push(`${file}:${i + 1}: ${name}: ${line.trim()}`);
    });
  }
  t.same(found, []);
});

t.test('no source joins its own folder with a relative path that climbs out of the repository', async (t) => {
  const found: string[] = [];
  const joinFromHere = /join\(import\.meta\.dirname,\s*'([^']+)'/g;
  for (const file of repositoryFiles().filter((f) => f.endsWith('.ts'))) {
    const text = textOf(file);
    if (text === undefined) continue;
    for (const match of text.matchAll(joinFromHere)) {
      const target = relative(root, resolve(root, dirname(file), match[1]));
      if (target.startsWith('..')) found.push(`${file}: ${match[1]} leaves the repository`);
    }
  }
  t.same(found, []);
});
