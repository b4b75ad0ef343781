/**
 * A model's shape: its window (readings per inference, the reading message's `n`) and its
 * number of classes, registered on its `Model` account (`register_model` refuses anything
 * else with `InvalidModelShape`; `submit_attestation` refuses a class `>= classes` with
 * `ClassOutOfRange`). The bounds are the program's: `MAX_WINDOW` and `MIN_CLASSES` are
 * generated from the IDL (idls/constants.ts), whose values the interface crate's agreement
 * test ties to `zkpin_encoding::MAX_WINDOW` and the program's checks.
 */
import { MAX_WINDOW, MIN_CLASSES } from '../../idls/constants.ts';

export { MAX_WINDOW, MIN_CLASSES } from '../../idls/constants.ts';
/** Most classes a model may have (`Model.classes` is a u8). */
export const MAX_CLASSES = 255;

export interface ModelShape {
  /** Readings per inference, 1..MAX_WINDOW. */
  window: number;
  /** Number of classes, MIN_CLASSES..MAX_CLASSES. */
  classes: number;
}

/** What is wrong with a model shape, or undefined when `register_model` accepts it. */
export function modelShapeIssue(s: ModelShape): string | undefined {
  if (!Number.isInteger(s.window) || s.window < 1 || s.window > MAX_WINDOW)
    return `window must be an integer from 1 to ${MAX_WINDOW} readings, got ${s.window}`;
  if (!Number.isInteger(s.classes) || s.classes < MIN_CLASSES || s.classes > MAX_CLASSES)
    return `classes must be an integer from ${MIN_CLASSES} to ${MAX_CLASSES}, got ${s.classes}`;
  return undefined;
}

/** Throws a RangeError naming the bad field unless `register_model` accepts the shape. */
export function assertModelShape(s: ModelShape): void {
  const issue = modelShapeIssue(s);
  if (issue) throw new RangeError(`invalid model shape: ${issue}`);
}
