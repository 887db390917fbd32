import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const LIB = join(import.meta.dirname, '../../lib');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
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

t.test('lib/ imports neither actors/ nor cli/, and its folders import each other without a cycle', async (t) => {
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

/** The layers docs/internals.md writes down: unit -> layer number. */
function writtenLayers(): Map<string, number> {
  const text = readFileSync(join(import.meta.dirname, '../../docs/internals.md'), 'utf8');
  const block = /```layers\n([\s\S]*?)```/.exec(text);
  const layers = new Map<string, number>();
  for (const line of (block?.[1] ?? '').trim().split('\n')) {
    const [level, ...units] = line.trim().split(/\s+/);
    for (const unit of units) layers.set(unit, Number(level));
  }
  return layers;
}

t.test('every import in lib/ goes down the layers docs/internals.md writes', async (t) => {
  const layers = writtenLayers();
  t.ok(layers.size > 10, 'the layers are written');
  const unplaced = new Set<string>();
  const wrong: string[] = [];
  for (const file of sources(LIB)) {
    const from = unitOf(file);
    if (!layers.has(from)) unplaced.add(from);
    for (const target of importsOf(file)) {
      if (relative(LIB, target).startsWith('..')) continue;
      const to = unitOf(target);
      if (to === from) continue;
      if (!layers.has(to)) unplaced.add(to);
      else if ((layers.get(to) as number) >= (layers.get(from) ?? -1))
        wrong.push(`${relative(LIB, file)} (layer ${layers.get(from)}) imports ${to} (layer ${layers.get(to)})`);
    }
  }
  t.same([...unplaced], [], 'every lib/ unit has its layer');
  t.same(wrong, [], 'no import sideways or up');
});
