// What differs between run configs, field by field: a structural diff that descends into objects and lists, so a
// changed layer reads `model.layers[1].units: 128 -> 256` rather than two long JSON lines. Lists are aligned on
// their equal items first (a longest common subsequence), then what is left on items of the same kind (a layer's
// `type`, a component's `name`), so a layer inserted in the middle is one addition, not a change to every layer
// after it, and a layer whose units changed next to an inserted one is still a change of units.

/** A field that differs between two configs; `from` is absent for an added field, `to` for a removed one. */
export interface FieldChange {
  /** Where, as written in experiment files: `training.shuffle`, `model.layers[1].units`. */
  path: string;
  kind: 'changed' | 'added' | 'removed';
  from?: unknown;
  to?: unknown;
}

/** A field that differs among several configs, with its value in each (undefined: absent there). */
export interface FieldDifference {
  path: string;
  values: unknown[];
}

type Segment = string | number;

/** `a.b[2].c`; a key that is not a plain name is quoted (`a["x y"]`). */
export function pathText(segments: readonly Segment[]): string {
  return segments
    .map((s, i) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `${i === 0 ? '' : '.'}${s}` : `[${JSON.stringify(s)}]`))
    .join('');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** JSON with object keys sorted: equal values give equal text whatever order their keys were written in. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}

/** Beyond this many item pairs the lists are compared position by position (no alignment). */
const MAX_ALIGN = 250_000;

/** What kind of item a list holds: a layer's `type` or a component's `name`; else the whole item. */
function kindOf(v: unknown): string {
  if (isObject(v)) for (const k of ['type', 'name']) if (typeof v[k] === 'string') return `${k}:${v[k] as string}`;
  return canonical(v);
}

/** Index pairs [i, j] of a longest common subsequence of `a` and `b`, items matched on `key`, in order. */
function align(a: readonly unknown[], b: readonly unknown[], key: (v: unknown) => string): [number, number][] {
  const ka = a.map(key);
  const kb = b.map(key);
  if (a.length * b.length > MAX_ALIGN) {
    return ka.flatMap((k, i) => (i < kb.length && k === kb[i] ? [[i, i] as [number, number]] : []));
  }
  // len[i][j]: the LCS length of a[i..] and b[j..].
  const len = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) len[i][j] = ka[i] === kb[j] ? len[i + 1][j + 1] + 1 : Math.max(len[i + 1][j], len[i][j + 1]);
  }
  const pairs: [number, number][] = [];
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (ka[i] === kb[j]) pairs.push([i++, j++]);
    else if (len[i + 1][j] >= len[i][j + 1]) i++;
    else j++;
  }
  return pairs;
}

function diffInto(a: unknown, b: unknown, at: Segment[], out: FieldChange[]): void {
  if (canonical(a) === canonical(b)) return;
  if (isObject(a) && isObject(b)) {
    for (const k of [...Object.keys(a), ...Object.keys(b).filter((k) => !(k in a))]) {
      if (!(k in b)) out.push({ path: pathText([...at, k]), kind: 'removed', from: a[k] });
      else if (!(k in a)) out.push({ path: pathText([...at, k]), kind: 'added', to: b[k] });
      else diffInto(a[k], b[k], [...at, k], out);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    // Equal items are aligned; between two of them, the items left over are aligned on their kind and those
    // pairs compared field by field; between those, as many items on each side are paired in order, and
    // otherwise were removed from `a` or added in `b`. Indices are `b`'s, or `a`'s for a removal.
    const gaps = (pairs: [number, number][], i0: number, j0: number, i1: number, j1: number, each: (i: number, mi: number, j: number, mj: number) => void) => {
      let i = i0;
      let j = j0;
      for (const [mi, mj] of [...pairs, [i1, j1] as [number, number]]) {
        each(i, mi, j, mj);
        if (mi < i1) diffInto(a[mi], b[mj], [...at, mj], out);
        i = mi + 1;
        j = mj + 1;
      }
    };
    gaps(align(a, b, canonical), 0, 0, a.length, b.length, (i0, i1, j0, j1) => {
      const sameKind = align(a.slice(i0, i1), b.slice(j0, j1), kindOf).map(([i, j]) => [i0 + i, j0 + j] as [number, number]);
      gaps(sameKind, i0, j0, i1, j1, (i, mi, j, mj) => {
        if (mi - i === mj - j) for (; i < mi; i++, j++) diffInto(a[i], b[j], [...at, j], out);
        for (; i < mi; i++) out.push({ path: pathText([...at, i]), kind: 'removed', from: a[i] });
        for (; j < mj; j++) out.push({ path: pathText([...at, j]), kind: 'added', to: b[j] });
      });
    });
    return;
  }
  out.push({ path: pathText(at), kind: 'changed', from: a, to: b });
}

/** The fields in which config `b` differs from config `a`, in the order they appear. */
export function diffConfigs(a: unknown, b: unknown): FieldChange[] {
  const out: FieldChange[] = [];
  diffInto(a, b, [], out);
  return out;
}

/**
 * The fields in which several configs differ, each with its value in every config. The first config is the
 * reference: the rows are the fields where any other config differs from it (diffConfigs), so lists are aligned
 * pair by pair with the first.
 */
export function differingFields(configs: readonly unknown[]): FieldDifference[] {
  const rows = new Map<string, FieldDifference>();
  configs.slice(1).forEach((config, k) => {
    for (const c of diffConfigs(configs[0], config)) {
      let row = rows.get(c.path);
      if (!row) {
        // Until another config says otherwise, each has the reference's value there.
        const ref = c.kind === 'added' ? undefined : c.from;
        row = { path: c.path, values: configs.map(() => ref) };
        rows.set(c.path, row);
      }
      row.values[k + 1] = c.kind === 'removed' ? undefined : c.to;
    }
  });
  return [...rows.values()];
}

/** A value as a diff line shows it: JSON (strings quoted), 'absent' for a missing field. */
export function diffValueText(v: unknown): string {
  return v === undefined ? 'absent' : (JSON.stringify(v) ?? String(v));
}

/** `model.layers[1].units: 128 -> 256`, `model.layers[2]: added {"type":"dropout"}`, `training.shuffle: removed (was true)`. */
export function changeText(c: FieldChange): string {
  if (c.kind === 'added') return `${c.path}: added ${diffValueText(c.to)}`;
  if (c.kind === 'removed') return `${c.path}: removed (was ${diffValueText(c.from)})`;
  return `${c.path}: ${diffValueText(c.from)} -> ${diffValueText(c.to)}`;
}
