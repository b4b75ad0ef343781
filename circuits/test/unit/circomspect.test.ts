/**
 * The circomspect gate (`npm run lint:circuits`, circuits/tools/circomspect.ts): a signal
 * assigned with `<--` and never constrained fails it with the finding named; an allow-list
 * entry explains exactly the finding it names; every allowed finding is explained in
 * docs/zkml.md. Needs circomspect from scripts/setup.sh.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkFindings,
  readAllowList,
  runCircomspect,
  type AllowEntry,
  type Finding,
} from '../../tools/circomspect.ts';
import { REPO_ROOT } from '../../tools/compile.ts';

// y is computed with `<--` and appears in no constraint: any y satisfies the circuit.
const UNDER_CONSTRAINED = `pragma circom 2.1.0;

template Half() {
    signal input x;
    signal output y;
    y <-- x \\ 2;
}

component main = Half();
`;

let dir: string;
let bad: string;
let findings: Finding[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'zkpin-circomspect-test-'));
  bad = join(dir, 'half.circom');
  writeFileSync(bad, UNDER_CONSTRAINED);
  findings = runCircomspect([bad]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('circomspect gate', () => {
  it('fails on a signal assigned with <-- and never constrained, naming the finding', () => {
    expect(findings).toContainEqual(
      expect.objectContaining({
        rule: 'CS0005',
        name: 'signal-assignment-statement',
        level: 'warning',
        file: bad,
        line: 6,
        template: 'Half',
      }),
    );
    const cli = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'circuits/tools/circomspect.ts', bad],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain(
      `NOT ALLOWED ${bad}:6 in Half: CS0005 signal-assignment-statement (warning)`,
    );
  });

  it('lets through exactly the findings the allow-list names', () => {
    const entry = (f: Finding, template = f.template): AllowEntry => ({
      rule: f.rule,
      file: f.file,
      template,
      message: f.message.slice(0, 30),
      reason: 'test entry: names this finding and nothing else',
    });
    const gated = findings.filter((f) => f.level !== 'note');
    expect(
      checkFindings(
        findings,
        gated.map((f) => entry(f)),
      ),
    ).toEqual({
      unexplained: [],
      stale: [],
    });
    // the same entries for another template explain nothing and are reported stale
    const wrong = gated.map((f) => entry(f, 'Other'));
    expect(checkFindings(findings, wrong)).toEqual({ unexplained: gated, stale: wrong });
  });

  it('documents every allowed finding in docs/zkml.md', () => {
    const docs = readFileSync(join(REPO_ROOT, 'docs', 'zkml.md'), 'utf8');
    const start = docs.indexOf('\n## Static analysis\n');
    expect(start).toBeGreaterThan(0);
    const end = docs.indexOf('\n## ', start + 1);
    const section = docs.slice(start, end < 0 ? undefined : end);
    for (const e of readAllowList()) {
      expect(section).toContain(`\`${e.rule}\``);
      expect(section).toContain(`\`${e.template}\``);
    }
  });
});
