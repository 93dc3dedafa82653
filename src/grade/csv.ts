/**
 * CSV as spreadsheets and LMSs read and write it (RFC 4180: quoted fields,
 * doubled quotes, CRLF or LF). Written here rather than taken from a library:
 * the grader needs one small reader for rosters and one writer, and no
 * streaming, dialects or type guessing.
 */

export class CsvError extends Error {
  override name = 'CsvError';
}

/** Rows of fields; throws a CsvError naming the line of an unterminated quote or a stray quote. */
export function parseCsv(text: string, what = 'the CSV file'): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let startLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a spreadsheet's byte-order mark
  const endField = (): void => {
    row.push(field);
    field = '';
  };
  const endRow = (): void => {
    endField();
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
  };
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"') {
      if (field !== '') throw new CsvError(`${what}, line ${line}: a quote inside an unquoted field`);
      quoted = true;
      startLine = line;
    } else if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
    } else field += c;
  }
  if (quoted) throw new CsvError(`${what}, line ${startLine}: a quoted field is never closed`);
  if (field !== '' || row.length) endRow();
  return rows;
}

/** One cell: quoted when it holds a comma, quote or line break; text a spreadsheet would run as a formula is prefixed with '. */
export function csvCell(v: string | number): string {
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows as CSV text (LF line ends, a final newline). */
export function toCsv(rows: readonly (readonly (string | number)[])[]): string {
  return rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}
