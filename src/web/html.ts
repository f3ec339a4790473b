// Markup built with a tagged template that escapes every interpolated value: whatever a store holds (a study
// named `<img src=x onerror=...>`) reaches the page as text. Only Html values (markup this module built) are
// inserted as they are.
import { escapeHtml } from '../report/html.js';

/** Markup that is safe to insert as it is (built by `html` or `raw`). */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

function piece(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(piece).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** `html\`<td>${name}</td>\``: the literal parts as written, each value escaped (arrays joined, null/false empty). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  values.forEach((v, i) => (out += piece(v) + strings[i + 1]));
  return new Html(out);
}

/** Markup this program wrote itself (never a value from the store or the request). */
export function raw(markup: string): Html {
  return new Html(markup);
}

/** A query string from parameters, skipping empty ones (for links that keep a page's filters). */
export function query(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
