/**
 * A model-only circuit for any IR: the generated `Model_<name>()` template as `main`, the
 * window `x` in, the logits out. Compiled only (no ceremony): it is executed for witnesses,
 * never proved. For the op tests and the fuzzer, whose models are not shipped.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildCircuit, type BuiltCircuit } from './build.ts';
import type { Logger } from './ceremony.ts';
import { CIRCUITS_DIR, REPO_ROOT } from './compile.ts';
import { generateModelTemplate, modelTemplateName } from './generate.ts';
import type { ModelIR } from './onnx-model.ts';

/**
 * Write `circuits/.cache/<group>/<ir.name>_test.circom` (git-ignored; circom only sees the
 * repository) and compile it into the artifact cache, keyed by content like every circuit.
 */
export async function buildModelOnlyCircuit(
  ir: ModelIR,
  group: string,
  log?: Logger,
): Promise<BuiltCircuit> {
  const dir = join(CIRCUITS_DIR, '.cache', group);
  mkdirSync(dir, { recursive: true });
  const main = join(dir, `${ir.name}_test.circom`);
  const include = relative(dir, join(CIRCUITS_DIR, 'src', 'int_ops.circom'));
  writeFileSync(
    main,
    `pragma circom 2.1.0;\n\ninclude "${include}";\n\n${generateModelTemplate(ir)}\n\ncomponent main = ${modelTemplateName(ir)}();\n`,
  );
  return buildCircuit(relative(REPO_ROOT, main), { setup: false, log });
}
