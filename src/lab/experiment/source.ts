// An experiment file's text as a YAML document that remembers where each field was written, so every error can
// name the line of the field it is about. JSON files parse the same way (JSON is YAML).
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Alias, type Document, type Node } from 'yaml';
import { ConfigError } from '../../engine/errors.js';
import { formatPath, type Segment } from './paths.js';

/** How many alias expansions a document may take (the YAML library's guard against alias bombs). */
const MAX_ALIAS_COUNT = 1000;
/** The most field names a syntax error's path shows (a file nested very deep would fill the screen). */
const MAX_PATH_SHOWN = 8;

/**
 * The first alias that sits inside the value it names (`&a [1, *a]`), or undefined. YAML allows such cycles;
 * plain data cannot hold them (every later step, from validation to the stored config, would loop or fail).
 */
export function recursiveAlias(doc: Document): Alias | undefined {
  let found: Alias | undefined;
  visit(doc, {
    Alias: (_, node, ancestors) => {
      const target = node.resolve(doc);
      if (target !== undefined && ancestors.includes(target)) {
        found = node;
        return visit.BREAK;
      }
    },
  });
  return found;
}

export class Source {
  private readonly lines = new LineCounter();
  private readonly doc: Document;

  /**
   * Parses `text`; invalid YAML (and a key written twice) is a ConfigError at the line the YAML library
   * reports, with the field path around it when it can be told. `file` names the file in errors.
   */
  constructor(
    text: string,
    readonly file: string | undefined,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: true, uniqueKeys: true });
    const error = this.doc.errors[0];
    if (error !== undefined) {
      const at = error.linePos?.[0];
      let problem = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      // The parser recurses per level of nesting: a file nested thousands deep overflows its stack.
      if (/Maximum call stack size exceeded/.test(problem)) problem = 'nested too deeply';
      const segments = this.pathAt(error.pos[0]);
      const path = formatPath(segments.slice(0, MAX_PATH_SHOWN)) + (segments.length > MAX_PATH_SHOWN ? '…' : '');
      throw new ConfigError(path, `invalid YAML: ${problem}${at ? ` (column ${at.col})` : ''}`, file, at?.line);
    }
  }

  /**
   * The document as plain data. Aliases that expand to too much (a "billion laughs" file: each alias repeats
   * the one before many times) are a ConfigError at the first alias's line, not the YAML library's error.
   */
  data(): unknown {
    const cycle = recursiveAlias(this.doc);
    if (cycle !== undefined) {
      throw new ConfigError('', `invalid YAML: the alias *${cycle.source} is inside the value it names (a cycle); an experiment's values are plain data`, this.file, this.line(cycle));
    }
    try {
      return this.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      if (!(e instanceof Error) || !/alias/i.test(e.message)) throw e;
      let line: number | undefined;
      visit(this.doc, {
        Alias: (_, node) => {
          line = this.line(node);
          return visit.BREAK;
        },
      });
      throw new ConfigError('', `invalid YAML: its aliases expand to too much data (more than ${MAX_ALIAS_COUNT} copies); write the values out, or use fewer aliases`, this.file, line);
    }
  }

  /**
   * The line where the field at `segments` is written (its key's line), or of the closest enclosing field that
   * is written (a default value has no line of its own); undefined for an empty document.
   */
  lineOf(segments: readonly Segment[]): number | undefined {
    let node: unknown = this.doc.contents;
    let line = node ? this.line(node as Node) : undefined;
    for (const s of segments) {
      let next: unknown;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(s));
        if (pair === undefined) return line;
        line = this.line(pair.key as Node) ?? line;
        next = pair.value;
      } else if (isSeq(node) && typeof s === 'number' && s < node.items.length) {
        next = node.items[s];
        line = this.line(next as Node) ?? line;
      } else {
        return line;
      }
      node = next;
    }
    return line;
  }

  private line(node: Node | null | undefined): number | undefined {
    const start = node?.range?.[0];
    return start === undefined ? undefined : this.lines.linePos(start).line;
  }

  /** The path of the innermost field whose text holds `offset` (best effort, for syntax errors). */
  private pathAt(offset: number): Segment[] {
    const path: Segment[] = [];
    let node: unknown = this.doc.contents;
    for (;;) {
      if (isMap(node)) {
        const pair = node.items.filter(isPair).find((p) => {
          const start = (p.key as Node | null)?.range?.[0];
          const end = (p.value as Node | null)?.range?.[2] ?? (p.key as Node | null)?.range?.[2];
          return start !== undefined && end !== undefined && start <= offset && offset <= end;
        });
        // A key that holds the offset is itself garbled (a value run on into the next line): stop above it.
        const keyEnd = (pair?.key as Node | null)?.range?.[1];
        if (pair === undefined || !isScalar(pair.key) || keyEnd === undefined || offset < keyEnd) return path;
        path.push(String(pair.key.value));
        node = pair.value;
      } else if (isSeq(node)) {
        const i = node.items.findIndex((n) => {
          const r = (n as Node | null)?.range;
          return r != null && r[0] <= offset && offset <= r[2];
        });
        if (i < 0) return path;
        path.push(i);
        node = node.items[i];
      } else {
        return path;
      }
    }
  }
}
