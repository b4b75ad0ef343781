import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArtifactsFileError,
  readArtifactsFile,
  writeArtifactsFile,
  type ArtifactsFile,
} from '../../runtime/index.ts';
import { abs, REFERENCE_MODEL } from '../../tools/models.ts';

const devVk = (
  JSON.parse(readFileSync(abs(REFERENCE_MODEL.vkFile), 'utf8')) as { vk: { nPublic: number } }
).vk;
let dir: string;
const sha = 'ab'.repeat(32);

function write(doc: unknown, name = 'model.json'): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

const good: ArtifactsFile = {
  modelId: 7,
  window: 48,
  classes: 3,
  onnx: 'model.onnx',
  onnxSha256: sha,
  wasm: 'circuit_js/circuit.wasm',
  zkey: 'circuit.zkey',
  vk: 'vk.json',
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'zkpin-artifacts-'));
  mkdirSync(join(dir, 'circuit_js'));
  for (const f of ['model.onnx', 'circuit_js/circuit.wasm', 'circuit.zkey'])
    writeFileSync(join(dir, f), 'x');
  writeFileSync(join(dir, 'vk.json'), JSON.stringify(devVk));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('artifacts file (@zkpin/circuits/runtime)', () => {
  it('resolves paths against the file and reads the verifying key', () => {
    const a = readArtifactsFile(write(good));
    expect(a).toEqual({
      modelId: 7,
      window: 48,
      classes: 3,
      onnxPath: join(dir, 'model.onnx'),
      onnxSha256: sha,
      wasmPath: join(dir, 'circuit_js', 'circuit.wasm'),
      zkeyPath: join(dir, 'circuit.zkey'),
      vk: devVk,
    });
  });

  it('round-trips through writeArtifactsFile with relative paths', () => {
    const a = readArtifactsFile(write(good));
    const out = join(dir, 'written.json');
    writeArtifactsFile(out, { ...a, vkPath: join(dir, 'vk.json') });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(good);
    expect(readArtifactsFile(out)).toEqual(a);
  });

  it('names what is missing or wrong', () => {
    expect(() => readArtifactsFile(join(dir, 'nope.json'))).toThrow(
      /artifacts file .*nope\.json: cannot read the file/,
    );
    expect(() => readArtifactsFile(write({ ...good, onnxSha256: 'AB'.repeat(32) }))).toThrow(
      /onnxSha256: expected 64 lower-case hex digits/,
    );
    expect(() => readArtifactsFile(write({ ...good, zkey: 'missing.zkey' }))).toThrow(
      /zkey: .*missing\.zkey does not exist/,
    );
    expect(() => readArtifactsFile(write({ ...good, extra: 1 }))).toThrow(ArtifactsFileError);
    for (const [field, value, message] of [
      ['window', 0, /window: .*>=1/],
      ['window', 466, /window: .*<=465/],
      ['window', 16.5, /window: .*expected int/],
      ['classes', 1, /classes: .*>=2/],
      ['classes', 256, /classes: .*<=255/],
    ] as const) {
      expect(() => readArtifactsFile(write({ ...good, [field]: value }))).toThrow(message);
    }
    const noWindow: Partial<ArtifactsFile> = { ...good };
    delete noWindow.window;
    expect(() => readArtifactsFile(write(noWindow))).toThrow(
      /window: .*(Required|expected number)/,
    );
    writeFileSync(join(dir, 'vk3.json'), JSON.stringify({ ...devVk, nPublic: 3 }));
    expect(() => readArtifactsFile(write({ ...good, vk: 'vk3.json' }))).toThrow(
      /vk: expected a Groth16 key with 1 public input/,
    );
  });
});
