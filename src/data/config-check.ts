// Small checks for the data pipeline's plain-data configs: every problem is a ConfigError naming the field path.
import { ConfigError, unknownName } from '../engine/errors.js';

/** Rejects keys of `config` that are not in `valid` (with a did-you-mean), and a config that is not an object. */
export function checkKeys(config: unknown, valid: readonly string[], path: string): void {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new ConfigError(path, `expected an object with fields ${valid.join(', ')}, got ${JSON.stringify(config)}`);
  }
  for (const key of Object.keys(config)) {
    if (!valid.includes(key)) throw unknownName(`${path}.${key}`, 'field', key, valid);
  }
}

/** An integer in [min, max]. */
export function checkInt(value: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in ${min}..${max}`;
    throw new ConfigError(path, `expected an integer ${range}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A number strictly between lo and hi. */
export function checkOpen(value: unknown, path: string, lo: number, hi: number): number {
  if (typeof value !== 'number' || !(value > lo && value < hi)) {
    throw new ConfigError(path, `expected a number between ${lo} and ${hi} (exclusive), got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A number in [lo, hi]. */
export function checkRange(value: unknown, path: string, lo: number, hi: number): number {
  if (typeof value !== 'number' || !(value >= lo && value <= hi)) {
    throw new ConfigError(path, `expected a number in [${lo}, ${hi}], got ${JSON.stringify(value)}`);
  }
  return value;
}

/** One of the valid names. */
export function checkChoice<T extends string>(value: unknown, path: string, kind: string, valid: readonly T[]): T {
  if (typeof value !== 'string' || !(valid as readonly string[]).includes(value)) throw unknownName(path, kind, value, valid);
  return value as T;
}

/** A boolean. */
export function checkBool(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new ConfigError(path, `expected true or false, got ${JSON.stringify(value)}`);
  return value;
}
