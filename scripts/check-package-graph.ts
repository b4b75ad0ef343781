/**
 * The workspace packages' dependency graph, from package.json dependencies and the imports in
 * their sources (`@zkpin/<name>` and relative paths into another package): prints it, and
 * fails on a cycle or on an import of another package's files by relative path.
 *
 *   npx tsx scripts/check-package-graph.ts [--json]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SKIP = new Set(['node_modules', 'target', 'dist', '.git', 'generated']);

interface Pkg {
  name: string;
  dir: string;
  declared: Set<string>;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    if (SKIP.has(e)) continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(e) && !e.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const workspaces = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    workspaces: string[];
  }
).workspaces;
const pkgs: Pkg[] = workspaces.map((w) => {
  const pj = JSON.parse(readFileSync(join(ROOT, w, 'package.json'), 'utf8')) as {
    name: string;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const deps = { ...pj.dependencies, ...pj.devDependencies };
  return {
    name: pj.name,
    dir: join(ROOT, w),
    declared: new Set(Object.keys(deps).filter((d) => d.startsWith('@zkpin/'))),
  };
});
const byName = new Map(pkgs.map((p) => [p.name, p]));
const owner = (file: string) =>
  pkgs.find((p) => file === p.dir || file.startsWith(p.dir + sep))?.name;

const edges = new Map<string, Set<string>>(pkgs.map((p) => [p.name, new Set(p.declared)]));
const undeclared: string[] = [];
const relativeImports: string[] = [];
const IMPORT = /(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g;

for (const p of pkgs) {
  for (const file of sources(p.dir)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1]!;
      let target: string | undefined;
      if (spec.startsWith('@zkpin/')) target = spec.split('/').slice(0, 2).join('/');
      else if (spec.startsWith('.')) {
        target = owner(resolve(dirname(file), spec));
        if (target && target !== p.name)
          relativeImports.push(`${relative(ROOT, file)} imports ${spec} (use ${target})`);
      }
      if (!target || target === p.name || !byName.has(target)) continue;
      edges.get(p.name)!.add(target);
      if (!p.declared.has(target))
        undeclared.push(
          `${relative(ROOT, file)} imports ${target}, not in ${p.name}'s dependencies`,
        );
    }
  }
}

/** Every cycle's path (depth-first search over the graph). */
function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of edges.get(n) ?? []) {
      if (state.get(m) === 'open') found.push([...stack.slice(stack.indexOf(m)), m]);
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const p of pkgs) if (!state.has(p.name)) visit(p.name);
  return found;
}

const found = cycles();
const graph = Object.fromEntries([...edges].map(([k, v]) => [k, [...v].sort()]));
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ graph, cycles: found, undeclared, relativeImports }, null, 2));
} else {
  for (const [k, v] of Object.entries(graph)) console.log(`${k} → ${v.join(', ') || '(none)'}`);
  for (const u of undeclared) console.log(`note: ${u}`);
}
for (const c of found) console.error(`cycle: ${c.join(' → ')}`);
for (const r of relativeImports) console.error(`relative import of another package: ${r}`);
process.exit(found.length > 0 || relativeImports.length > 0 ? 1 : 0);
