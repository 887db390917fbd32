import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const LIB = join(import.meta.dirname, '../../lib');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** The relative modules a source imports (static, type-only and dynamic), resolved to paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]);
  return specs.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

/** lib/'s unit of layering: its folder (trace, stats, ...) or, for a file directly in lib/, the file. */
const unitOf = (path: string): string => relative(LIB, path).split('/')[0].replace(/\.ts$/, '');

/** Every cycle among the units, each as `a -> b -> a` (found by DFS over the folder graph). */
function cycles(edges: Map<string, Set<string>>): string[] {
  const found = new Set<string>();
  const visit = (node: string, path: string[]): void => {
    for (const next of edges.get(node) ?? []) {
      const at = path.indexOf(next);
      if (at >= 0) {
        const cycle = path.slice(at);
        const start = cycle.indexOf([...cycle].sort()[0]);
        found.add([...cycle.slice(start), ...cycle.slice(0, start), cycle[start]].join(' -> '));
      } else visit(next, [...path, next]);
    }
  };
  for (const node of edges.keys()) visit(node, [node]);
  return [...found].sort();
}

t.test("lib/ imports neither actors/ nor cli/, and its folders import each other without a cycle", async (t) => {
  const edges = new Map<string, Set<string>>();
  const outward: string[] = [];
  for (const file of sources(LIB)) {
    const from = unitOf(file);
    for (const target of importsOf(file)) {
      const rel = relative(LIB, target);
      if (rel.startsWith('..')) {
        outward.push(`${relative(LIB, file)} imports ${relative(join(LIB, '..'), target)}`);
        continue;
      }
      const to = unitOf(target);
      if (to === from) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)?.add(to);
    }
  }
  t.ok(edges.size > 5, 'the walk sees lib/');
  t.same(outward, [], 'nothing of lib/ reaches up');
  t.same(cycles(edges), [], 'no folder cycle');
  t.same([...(edges.get('contract') ?? [])], [], 'the contracts import nothing of drtp');
});
