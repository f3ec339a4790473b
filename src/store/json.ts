// JSON for the store's JSON columns. Plain JSON turns NaN and ±Infinity into null, but a diverged run's loss
// is NaN and the report should say so; they are written as {"$number": "NaN"} and read back as numbers.
import { NnlabError } from '../engine/errors.js';

const TAG = '$number';

/** JSON text of `value` (undefined becomes null); `what` names the field in the error for values JSON cannot hold. */
export function toJson(value: unknown, what: string): string {
  try {
    return JSON.stringify(value ?? null, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? { [TAG]: String(v) } : v));
  } catch (e) {
    throw new NnlabError(`run store: ${what} cannot be stored as JSON: ${(e as Error).message}`);
  }
}

/** The value of JSON text written by toJson. */
export function fromJson<T = unknown>(text: string): T {
  return JSON.parse(text, (_key, v) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === TAG && typeof v[TAG] === 'string') return Number(v[TAG]);
    }
    return v;
  }) as T;
}
