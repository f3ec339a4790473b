// JSON that keeps every JavaScript number exactly, for state that must round-trip bit for bit (a training
// checkpoint's history, a callback's best value, which starts at ±Infinity). Finite numbers are written as
// JSON.stringify writes them (the shortest text that reads back as the same double); NaN, Infinity, -Infinity
// and -0, which plain JSON loses, are written as { "$number": "NaN" | "Infinity" | "-Infinity" | "-0" }.
//
// Contract: parseExact(stringifyExact(v)) deep-equals v (Object.is on every number) for v made of null,
// booleans, numbers, strings, arrays and plain objects. Anything else (undefined, functions, class instances,
// bigints, cycles) and plain objects whose only key is "$number" (the tag) are refused with a TypeError
// naming the field path.

const TAG = '$number';
const SPECIAL: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };

/** The tag text of a number plain JSON cannot hold, or null for an ordinary finite number. */
function specialName(v: number): string | null {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return Object.is(v, -0) ? '-0' : null;
}

/** A copy of `value` in which every special number is a tagged object; throws on what JSON cannot hold. */
function encode(value: unknown, where: string, ancestors: Set<object>): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    const name = specialName(value);
    return name === null ? value : { [TAG]: name };
  }
  const fail = (what: string) => new TypeError(`${where}: ${what} cannot be stored as exact JSON`);
  if (typeof value !== 'object') throw fail(`a ${typeof value}`);
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) throw fail(`a ${value.constructor?.name ?? 'non-plain object'}`);
  if (ancestors.has(value)) throw fail('a reference to itself');
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((v, i) => encode(v, `${where}[${i}]`, ancestors));
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === TAG) throw fail(`an object whose only key is '${TAG}' (the tag of special numbers)`);
    return Object.fromEntries(keys.map((k) => [k, encode((value as Record<string, unknown>)[k], `${where}.${k}`, ancestors)]));
  } finally {
    ancestors.delete(value);
  }
}

/** `value` as JSON text (2-space indented, newline-terminated) that parseExact reads back exactly. */
export function stringifyExact(value: unknown, where = 'value'): string {
  return JSON.stringify(encode(value, where, new Set()), null, 2) + '\n';
}

/** Reads text written by stringifyExact (or any JSON); throws a SyntaxError on invalid JSON. */
export function parseExact(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const keys = Object.keys(v);
    const tag = (v as Record<string, unknown>)[TAG];
    return keys.length === 1 && typeof tag === 'string' && Object.hasOwn(SPECIAL, tag) ? SPECIAL[tag] : v;
  });
}
