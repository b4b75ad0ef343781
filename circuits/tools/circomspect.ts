/**
 * `npm run lint:circuits`: circomspect (Trail of Bits' static analyser for circom, version
 * pinned in scripts/toolchain-env.sh, installed by scripts/setup.sh) over every circuit source
 * zkpin owns — circuits/src, circuits/generated and the test mains in circuits/test. Fails on
 * any finding that circuits/circomspect-allow.json does not explain, and on any allow-list
 * entry that no longer matches a finding (so the list and docs/zkml.md stay exact).
 *
 *   npx tsx circuits/tools/circomspect.ts [--allow <allow-list.json>] [file.circom ...]
 *
 * circomlib is a library (`-L node_modules`): circomspect reads it to resolve our includes and
 * the components we instantiate, but analyses and reports only the files given to it, so a
 * finding always points at a line of ours (e.g. an unused output of a circomlib component).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CIRCUITS_DIR, REPO_ROOT } from './compile.ts';

export const ALLOW_LIST_FILE = join(CIRCUITS_DIR, 'circomspect-allow.json');

/** One circomspect report, located in our sources. */
export interface Finding {
  rule: string; // circomspect's id, e.g. CS0005
  name: string; // its name, e.g. unused-output-signal
  level: string; // SARIF level: error, warning, note
  file: string; // repo-relative (or absolute when outside the repository)
  line: number;
  template: string; // enclosing template or function, '' at top level
  message: string;
}

const allowEntrySchema = z.strictObject({
  rule: z.string().regex(/^[A-Z]+\d+$/, 'a circomspect id such as CS0005'),
  file: z.string().min(1),
  template: z.string(),
  message: z.string().min(1), // a fragment of the finding's message
  reason: z.string().min(20, 'a sentence on why the finding is safe'),
});
export type AllowEntry = z.infer<typeof allowEntrySchema>;
const allowListSchema = z.array(allowEntrySchema);

export function readAllowList(path = ALLOW_LIST_FILE): AllowEntry[] {
  try {
    return allowListSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (e) {
    throw new Error(`bad circomspect allow-list ${path}: ${(e as Error).message}`);
  }
}

/** Every .circom file zkpin owns (not circomlib), repo-relative, sorted. */
export function ownedCircuitFiles(): string[] {
  return ['src', 'generated', 'test']
    .flatMap((dir) => {
      const abs = join(CIRCUITS_DIR, dir);
      return existsSync(abs)
        ? readdirSync(abs)
            .filter((f) => f.endsWith('.circom'))
            .map((f) => relative(REPO_ROOT, join(abs, f)))
        : [];
    })
    .sort();
}

/** The circomspect version scripts/toolchain-env.sh pins. */
export function pinnedVersion(): string {
  const env = readFileSync(join(REPO_ROOT, 'scripts', 'toolchain-env.sh'), 'utf8');
  const m = /^export CIRCOMSPECT_VERSION=(\S+)/m.exec(env);
  if (!m?.[1]) throw new Error('CIRCOMSPECT_VERSION missing from scripts/toolchain-env.sh');
  return m[1];
}

/**
 * Path of the circomspect binary (PATH, then ~/.cargo/bin), checked against the pin. circomspect
 * has no `--version`; cargo's install list records the version of what it installed.
 */
export function circomspectBinary(): string {
  const want = `circomspect v${pinnedVersion()}:`;
  const bin = findOnPath('circomspect');
  const cargo = findOnPath('cargo');
  if (!bin || !cargo) throw new Error(`circomspect or cargo not found: run scripts/setup.sh`);
  const installed = spawnSync(cargo, ['install', '--list'], { encoding: 'utf8' }).stdout ?? '';
  const have = installed.split('\n').find((l) => l.startsWith('circomspect v'));
  if (have !== want) {
    throw new Error(
      `cargo has "${have ?? 'no circomspect'}", the pin is "${want}": run scripts/setup.sh`,
    );
  }
  return bin;
}

/** `name` on PATH or in ~/.cargo/bin (where setup.sh's cargo install puts it). */
function findOnPath(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), join(homedir(), '.cargo', 'bin')];
  return dirs
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, name))
    .find((p) => existsSync(p));
}

const sarifSchema = z.object({
  runs: z.array(
    z.object({
      tool: z.object({
        driver: z.object({ rules: z.array(z.object({ id: z.string(), name: z.string() })) }),
      }),
      results: z.array(
        z.object({
          ruleId: z.string(),
          level: z.string(),
          message: z.object({ text: z.string() }),
          locations: z.array(
            z.object({
              physicalLocation: z.object({
                artifactLocation: z.object({ uri: z.string() }),
                region: z.object({ startLine: z.number() }),
              }),
            }),
          ),
        }),
      ),
    }),
  ),
});

/** Name of the template or function whose body holds `line` (1-based) of `source`. */
export function enclosingTemplate(source: string, line: number): string {
  const lines = source.split('\n').slice(0, line);
  for (let i = lines.length - 1; i >= 0; i--) {
    const text = lines[i] ?? '';
    const m = /^\s*(?:template|function)\s+(?:parallel\s+)?(\w+)\s*\(/.exec(text);
    if (m?.[1]) return m[1];
    if (i < lines.length - 1 && text.startsWith('}')) return ''; // closed before `line`
  }
  return '';
}

function repoPath(uri: string): string {
  const abs = uri.startsWith('file://') ? fileURLToPath(uri) : resolve(REPO_ROOT, uri);
  const rel = relative(REPO_ROOT, abs);
  return rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
}

/** Run circomspect over `files` (repo-relative or absolute) at INFO level. */
export function runCircomspect(files: string[], bin = circomspectBinary()): Finding[] {
  const out = mkdtempSync(join(tmpdir(), 'zkpin-circomspect-'));
  try {
    const sarif = join(out, 'report.sarif');
    const args = ['--level', 'INFO', '-L', 'node_modules', '--sarif-file', sarif, ...files];
    const r = spawnSync(bin, args, { cwd: REPO_ROOT, encoding: 'utf8' });
    if (r.error) throw r.error;
    // exit 1 = findings; anything else (or no report) is circomspect failing
    if ((r.status !== 0 && r.status !== 1) || !existsSync(sarif)) {
      throw new Error(`circomspect failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
    }
    const [run] = sarifSchema.parse(JSON.parse(readFileSync(sarif, 'utf8'))).runs;
    if (!run) throw new Error(`circomspect wrote no run to its SARIF report:\n${r.stdout}`);
    const names = new Map(run.tool.driver.rules.map((rule) => [rule.id, rule.name]));
    const sources = new Map<string, string>();
    return run.results.map((res) => {
      const loc = res.locations[0]?.physicalLocation;
      const file = loc ? repoPath(loc.artifactLocation.uri) : '';
      const line = loc?.region.startLine ?? 0;
      if (file && !sources.has(file))
        sources.set(file, readFileSync(resolve(REPO_ROOT, file), 'utf8'));
      return {
        rule: res.ruleId,
        name: names.get(res.ruleId) ?? '',
        level: res.level,
        file,
        line,
        template: file ? enclosingTemplate(sources.get(file) ?? '', line) : '',
        message: res.message.text,
      };
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export function allows(entry: AllowEntry, f: Finding): boolean {
  return (
    entry.rule === f.rule &&
    entry.file === f.file &&
    entry.template === f.template &&
    f.message.includes(entry.message)
  );
}

/**
 * circomspect's INFO notes (SARIF level `note`) are reported but not gated: in 0.9.0 they are
 * field-element-arithmetic (CS0004) and field-element-comparison (CS0003) on every `+`, `*` and
 * loop bound — arithmetic in the field is what our templates do on purpose (docs/zkml.md,
 * "Static analysis"). Warnings and errors are gated.
 */
export const isGated = (f: Finding) => f.level !== 'note';

/** Gated findings no entry explains, and entries that explain no gated finding. */
export function checkFindings(
  findings: Finding[],
  allowList: AllowEntry[],
): { unexplained: Finding[]; stale: AllowEntry[] } {
  const gated = findings.filter(isGated);
  return {
    unexplained: gated.filter((f) => !allowList.some((e) => allows(e, f))),
    stale: allowList.filter((e) => !gated.some((f) => allows(e, f))),
  };
}

export function formatFinding(f: Finding): string {
  const where = f.template ? ` in ${f.template}` : '';
  return `${f.file}:${f.line}${where}: ${f.rule} ${f.name} (${f.level}): ${f.message}`;
}

function main(argv: string[]): number {
  let allowPath = ALLOW_LIST_FILE;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--allow') allowPath = resolve(argv[++i] ?? '');
    else files.push(arg);
  }
  const started = performance.now();
  const allowList = readAllowList(allowPath);
  const inputs = files.length > 0 ? files : ownedCircuitFiles();
  const findings = runCircomspect(inputs);
  const { unexplained, stale } = checkFindings(findings, allowList);
  const gated = findings.filter(isGated).length;
  const notes = new Map<string, number>();
  for (const f of findings.filter((f) => !isGated(f))) {
    notes.set(`${f.rule} ${f.name}`, (notes.get(`${f.rule} ${f.name}`) ?? 0) + 1);
  }
  const ms = Math.round(performance.now() - started);
  console.log(
    `circomspect ${pinnedVersion()}: ${inputs.length} files, ${gated} warnings, ` +
      `${gated - unexplained.length} allowed, ${unexplained.length} not allowed (${ms} ms)`,
  );
  const noteList = [...notes].map(([rule, n]) => `${rule} x${n}`).join(', ');
  if (noteList) console.log(`  notes, not gated: ${noteList}`);
  for (const f of unexplained) console.log(`  NOT ALLOWED ${formatFinding(f)}`);
  for (const e of stale) {
    console.log(`  STALE allow-list entry (matches no finding): ${e.rule} ${e.file} ${e.template}`);
  }
  if (unexplained.length > 0) {
    console.log(
      `Fix the circuit, or, only if the finding is safe, add it with its reason to ` +
        `${relative(REPO_ROOT, allowPath)} and explain it in docs/zkml.md ("Static analysis").`,
    );
  }
  return unexplained.length > 0 || (files.length === 0 && stale.length > 0) ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exitCode = 2;
  }
}
