/** A model's shape (window, classes): the bounds agree with the program's, and are enforced. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as generated from '../../../idls/constants.ts';
import {
  MAX_CLASSES,
  MAX_WINDOW,
  MIN_CLASSES,
  assertModelShape,
  modelShapeIssue,
} from '../../src/model-shape.ts';

const repo = join(import.meta.dirname, '..', '..', '..');

describe('model shape', () => {
  it('MAX_WINDOW is the IDL constant and zkpin_encoding::MAX_WINDOW (15 chunks of 31 readings)', () => {
    expect(MAX_WINDOW).toBe(465);
    expect(MAX_WINDOW).toBe(generated.MAX_WINDOW);
    expect(MIN_CLASSES).toBe(generated.MIN_CLASSES);
    const rust = readFileSync(join(repo, 'crates/zkpin-encoding/src/lib.rs'), 'utf8');
    expect(rust).toMatch(new RegExp(`^pub const MAX_WINDOW: usize = ${MAX_WINDOW};$`, 'm'));
    const model = readFileSync(join(repo, 'crates/zkpin-accounts/src/state/model.rs'), 'utf8');
    expect(model).toMatch(new RegExp(`^pub const MIN_CLASSES: u8 = ${MIN_CLASSES};$`, 'm'));
    expect(MAX_CLASSES).toBe(255);
  });

  it('accepts what register_model accepts and names what it refuses', () => {
    for (const ok of [
      { window: 16, classes: 4 },
      { window: 48, classes: 3 },
      { window: 1, classes: 2 },
      { window: 465, classes: 255 },
    ]) {
      expect(modelShapeIssue(ok)).toBeUndefined();
      expect(() => assertModelShape(ok)).not.toThrow();
    }
    for (const [bad, field] of [
      [{ window: 0, classes: 4 }, /^window must be .* 1 to 465 readings, got 0$/],
      [{ window: 466, classes: 4 }, /^window .* got 466$/],
      [{ window: 16.5, classes: 4 }, /^window /],
      [{ window: 16, classes: 1 }, /^classes must be .* 2 to 255, got 1$/],
      [{ window: 16, classes: 256 }, /^classes /],
    ] as const) {
      expect(modelShapeIssue(bad)).toMatch(field);
      expect(() => assertModelShape(bad)).toThrow(RangeError);
    }
  });
});
