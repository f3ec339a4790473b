// An RFC 4180 CSV parser for tests: quoted fields may hold commas, doubled quotes and line breaks; records end
// with CRLF. Kept apart from the writer (src/report/csv.ts) so that a test does not check a writer with itself.
import assert from 'node:assert/strict';

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field), rows.push(row), (row = []), (field = ''), i++;
    } else field += ch;
  }
  assert.equal(field + row.join(''), '', 'CSV must end with a line break');
  return rows;
}
