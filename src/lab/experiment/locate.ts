// Where a field of an experiment came from, for errors: a line of the file, a study factor's value (its line in
// the study section) or a --set override (no line, but the override is named).
import { ConfigError } from '../../engine/errors.js';
import { formatPath, isPrefix, parsePath, type Segment } from './paths.js';
import type { Source } from './source.js';

export interface Origin {
  line?: number;
  /** Said after the problem: '(from --set training.epochs=abc)'. */
  note?: string;
}

/** Values set on top of the file (overrides, a study cell's factor values), with where each came from. */
export interface Placed {
  path: Segment[];
  origin: Origin;
}

export class Locator {
  constructor(
    readonly source: Source,
    /** Later entries win: overrides, then the cell's factor values. */
    readonly placed: readonly Placed[] = [],
  ) {}

  get file(): string | undefined {
    return this.source.file;
  }

  /** The same file with more values placed on top. */
  with(placed: readonly Placed[]): Locator {
    return new Locator(this.source, [...this.placed, ...placed]);
  }

  /** Where the field at `segments` came from: the innermost placed value holding it, else its line. */
  at(segments: readonly Segment[]): Origin {
    for (let i = this.placed.length - 1; i >= 0; i--) {
      if (isPrefix(this.placed[i].path, segments)) return this.placed[i].origin;
    }
    return { line: this.source.lineOf(segments) };
  }

  /** A ConfigError about the field at `segments`, naming the file and line it came from. */
  error(segments: readonly Segment[], problem: string): ConfigError {
    const { line, note } = this.at(segments);
    return new ConfigError(formatPath(segments), `${problem}${note ? ` ${note}` : ''}`, this.file, line);
  }

  /**
   * Runs `fn` (a factory check); a ConfigError it throws without a file (its path is a field path of the
   * experiment) comes back naming the file and the line of that field.
   */
  check<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof ConfigError) || e.file !== undefined) throw e;
      const prefix = `${e.path}: `;
      const problem = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
      let segments: Segment[];
      try {
        segments = parsePath(e.path);
      } catch {
        segments = [];
      }
      const { line, note } = this.at(segments);
      throw new ConfigError(e.path, `${problem}${note ? ` ${note}` : ''}`, this.file, line);
    }
  }
}
