// Helpers for callbacks' getState/setState (callback.ts): reading fields of a saved state with clear errors,
// and copying saved tensors (which belong to the checkpoint) into ones the callback keeps.
import { NnlabError } from '../../engine/errors.js';
import { keep, noGrad, type Tensor } from '../../tensor/index.js';

/** A saved callback state that does not fit the callback: names the callback and the field. */
export class CallbackStateError extends NnlabError {
  override name = 'CallbackStateError';
}

/** The saved JSON as a plain object, or a CallbackStateError naming `owner`. */
export function stateObject(json: unknown, owner: string): Record<string, unknown> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new CallbackStateError(`${owner} state: expected an object, got ${JSON.stringify(json)}`);
  return json as Record<string, unknown>;
}

/** A number field (NaN and ±Infinity allowed: a best value starts at ±Infinity). */
export function stateNumber(s: Record<string, unknown>, key: string, owner: string): number {
  const v = s[key];
  if (typeof v !== 'number') throw new CallbackStateError(`${owner} state: '${key}' must be a number, got ${JSON.stringify(v)}`);
  return v;
}

/** A number field or null. */
export function stateNumberOrNull(s: Record<string, unknown>, key: string, owner: string): number | null {
  return s[key] === null ? null : stateNumber(s, key, owner);
}

/** An integer field >= min. */
export function stateInteger(s: Record<string, unknown>, key: string, owner: string, min: number): number {
  const v = s[key];
  if (!Number.isInteger(v) || (v as number) < min) throw new CallbackStateError(`${owner} state: '${key}' must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return v as number;
}

/** Copies of saved tensors that outlive the caller's scope (kept; the callback disposes them). */
export function copyTensors(tensors: Record<string, Tensor>): Record<string, Tensor> {
  return noGrad(() => Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, keep(t.clone())])));
}

/** The saved tensors of a state, or null when it has none. */
export function savedTensors(tensors: Record<string, Tensor> | undefined): Record<string, Tensor> | null {
  return tensors && Object.keys(tensors).length > 0 ? copyTensors(tensors) : null;
}
