// nnlab's user-facing error types. The CLI prints their message (no stack trace) and exits non-zero;
// everything a user can get wrong should end up as one of these, naming where and what.

export class NnlabError extends Error {
  override name = 'NnlabError';
}

/** A bad configuration value: names the field path (e.g. `training.optimizer.name`) and, when known, the file. */
export class ConfigError extends NnlabError {
  override name = 'ConfigError';
  constructor(
    readonly path: string,
    problem: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(`${file ? `${file}${line ? `:${line}` : ''}: ` : ''}${path ? `${path}: ` : ''}${problem}`);
  }
}

/** Shapes that do not fit: names the layer (or op) and the shapes involved. */
export class ShapeError extends NnlabError {
  override name = 'ShapeError';
}

/** A name that is not one of the valid choices, with the list (and the closest one). */
export function unknownName(path: string, kind: string, given: unknown, valid: readonly string[], file?: string): ConfigError {
  const near = closest(String(given), valid);
  return new ConfigError(
    path,
    `unknown ${kind} '${String(given)}'${near ? ` (did you mean '${near}'?)` : ''}; valid: ${valid.join(', ')}`,
    file,
  );
}

/** The valid name closest to `given` by edit distance, if it is close enough to be a typo. */
export function closest(given: string, valid: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const v of valid) {
    const d = distance(given.toLowerCase(), v.toLowerCase());
    if (d < bestD) [best, bestD] = [v, d];
  }
  return best !== null && bestD <= Math.max(2, Math.floor(given.length / 3)) ? best : null;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length];
}
