// How numbers, metric keys and config labels are shown in every report format (terminal, Markdown, HTML).
import type { ConfigSummary, Description } from '../stats/index.js';

/** Shown where there is no value. */
export const NONE = '—';

/**
 * Characters no report format can show as they are: C0 controls (BEL, ESC, line breaks...), DEL, C1 controls,
 * the non-characters U+FFFE/U+FFFF and unpaired surrogates. XML (SVG) cannot hold most of them at all, and on a
 * terminal ESC starts a command.
 */
const UNSHOWABLE = /[\u0000-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `text` with every unshowable character written out visibly as an escape (`\x07`, `\x1b`, `\n`, `\ud800`), the
 * way JavaScript and Python write them; other text, non-ASCII letters included, is left as it is. Every name a
 * report shows (studies, configs, factor levels, class names, run labels) goes through this, in every format.
 */
export function visible(text: string): string {
  return text.replace(UNSHOWABLE, (c) => {
    const code = c.charCodeAt(0);
    return SHORT_ESCAPES[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
  });
}

/**
 * Like visible, but line breaks are kept: for text whose lines are its layout (a config shown in a <pre>, an
 * HTML page's text, where a line break is a space), not a single name.
 */
export function visibleLines(text: string): string {
  return text.split('\n').map(visible).join('\n');
}

/** A number with fixed decimals, or NONE. */
export function num(x: number | null | undefined, digits = 4): string {
  return x === null || x === undefined || !Number.isFinite(x) ? NONE : x.toFixed(digits);
}

/** "mean ± std", the mean alone for one run, NONE for none. */
export function meanStd(m: Description | undefined, digits = 4): string {
  if (!m || m.mean === null) return NONE;
  return m.std === null ? num(m.mean, digits) : `${num(m.mean, digits)} ± ${num(m.std, digits)}`;
}

/** "[low, high]" of a 95% CI, or NONE (fewer than two runs). */
export function ci(m: Description | undefined, digits = 4): string {
  return m?.ci95 ? `[${num(m.ci95[0], digits)}, ${num(m.ci95[1], digits)}]` : NONE;
}

/** A p-value: 4 decimals, or "< 0.0001". */
export function pValue(p: number | null): string {
  if (p === null) return NONE;
  return p < 1e-4 ? '< 0.0001' : p.toFixed(4);
}

/** Decimals that suit a metric: seconds get 1, the rest 4. */
export function digitsFor(key: string): number {
  return key === 'time' ? 1 : 4;
}

const SPLIT_NAMES: Record<string, string> = { train: 'Train', val: 'Val', test: 'Test' };

/** 'val.accuracy' → 'Val accuracy'; 'test.f1Macro' → 'Test f1Macro'. */
export function metricTitle(key: string): string {
  const dot = key.indexOf('.');
  if (dot < 0) return key;
  return `${SPLIT_NAMES[key.slice(0, dot)] ?? key.slice(0, dot)} ${key.slice(dot + 1)}`;
}

/**
 * A factor value as labels show it: strings bare, a component as `sgd(lr=0.1)`, lists as `[64,32]`, other
 * objects as `{rate=0.5}`.
 */
export function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.map(valueText).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const { name, ...rest } = v as Record<string, unknown>;
    const params = Object.entries(rest).map(([k, x]) => `${k}=${valueText(x)}`).join(', ');
    return typeof name === 'string' ? (params ? `${name}(${params})` : name) : `{${params}}`;
  }
  return JSON.stringify(v);
}

/**
 * Short display names for configs: "activation=relu, lr=0.01" from the factor values (last path segment of
 * each field), the full label where that would be ambiguous, and "run" for a single unlabelled config.
 */
export function configNames(configs: readonly Pick<ConfigSummary, 'label' | 'values'>[]): string[] {
  return shortNames(configs).map(visible);
}

function shortNames(configs: readonly Pick<ConfigSummary, 'label' | 'values'>[]): string[] {
  const short = configs.map((c) => {
    const entries = Object.entries(c.values);
    if (entries.length === 0) return c.label || 'run';
    const segments = entries.map(([k]) => k.slice(k.lastIndexOf('.') + 1));
    if (new Set(segments).size < segments.length) return c.label;
    return entries.map(([, v], i) => `${segments[i]}=${valueText(v)}`).join(', ');
  });
  return new Set(short).size === short.length ? short : configs.map((c) => c.label || 'run');
}

/** A file-name-safe slug: lowercase letters, digits and dashes, at most 40 characters. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'x';
}

/**
 * How a study's test set was used, for reports and the terminal: "test set looked at once: trial 2 (chosen on
 * validation)"; every look after the first is counted, as it is no longer an unbiased estimate.
 */
export function testLooksLine(looks: readonly { target: string; how: 'final' | 'explicit' }[]): string {
  if (looks.length === 0) return 'test set: not looked at';
  const each = looks.map((l) => `${visible(l.target)} (${l.how === 'final' ? 'chosen on validation' : 'nnlab test'})`);
  return `test set looked at ${looks.length === 1 ? 'once' : `${looks.length} times`}: ${each.join(', ')}`;
}
