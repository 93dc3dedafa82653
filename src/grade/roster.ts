/**
 * The class roster (`--roster FILE.csv`): which student each submission
 * folder belongs to, so the gradebook carries ids an LMS matches on.
 *
 * A header row names the columns: `folder` and `id` are required; `name`,
 * `email`, `login` (the LMS login, default: the e-mail) and `section` are
 * optional. Any other column, a duplicate folder or id, or a row without a
 * folder or id is an error naming the line.
 */
import { CsvError, parseCsv } from './csv.js';
import type { Student } from './types.js';

export type { Student } from './types.js';

export type Roster = ReadonlyMap<string, Student>;

export class RosterError extends Error {
  override name = 'RosterError';
}

const COLUMNS = ['folder', 'id', 'name', 'email', 'login', 'section'] as const;

/** Parses a roster CSV (see the module comment); `file` names it in errors. */
export function parseRoster(text: string, file = 'the roster'): Roster {
  let rows: string[][];
  try {
    rows = parseCsv(text, file);
  } catch (e) {
    throw new RosterError((e as CsvError).message);
  }
  if (rows.length === 0) throw new RosterError(`${file}: empty; the first row must name the columns (folder, id, and optionally ${COLUMNS.slice(2).join(', ')})`);
  const header = rows[0]!.map((h) => h.trim().toLowerCase());
  for (const h of header) {
    if (!(COLUMNS as readonly string[]).includes(h)) throw new RosterError(`${file}, line 1: unknown column '${h}' (columns: ${COLUMNS.join(', ')})`);
  }
  for (const need of ['folder', 'id']) if (!header.includes(need)) throw new RosterError(`${file}, line 1: no '${need}' column`);
  if (new Set(header).size !== header.length) throw new RosterError(`${file}, line 1: a column is named twice`);
  const col = (row: string[], name: string): string => (row[header.indexOf(name)] ?? '').trim();
  const out = new Map<string, Student>();
  const ids = new Map<string, string>();
  rows.slice(1).forEach((row, k) => {
    const line = k + 2;
    if (row.length > header.length) throw new RosterError(`${file}, line ${line}: ${row.length} fields where the header has ${header.length}`);
    const folder = col(row, 'folder');
    const id = col(row, 'id');
    if (!folder || !id) throw new RosterError(`${file}, line ${line}: needs a folder and an id`);
    if (out.has(folder)) throw new RosterError(`${file}, line ${line}: folder '${folder}' is listed twice`);
    const other = ids.get(id);
    if (other) throw new RosterError(`${file}, line ${line}: id '${id}' is also given to folder '${other}'`);
    ids.set(id, folder);
    const email = col(row, 'email');
    out.set(folder, { folder, id, name: col(row, 'name'), email, login: col(row, 'login') || email, section: col(row, 'section') });
  });
  return out;
}
