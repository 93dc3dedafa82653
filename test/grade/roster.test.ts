/**
 * The roster and the gradebooks: `--roster FILE.csv` maps folders to student
 * id, name and e-mail; gradebook.csv carries them, canvas.csv is in the
 * layout Canvas's gradebook import reads; a bad roster is refused by line.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runGradeCommand } from '../../src/cli/grade.js';
import { parseCsv } from '../../src/grade/csv.js';
import type { SandboxApi } from '../../src/grade/grader.js';
import { parseRoster } from '../../src/grade/roster.js';
import { submission, testSandbox } from './helpers.js';

let sandbox: SandboxApi;
beforeAll(async () => {
  sandbox = await testSandbox();
});
const silent = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;

describe('the roster', () => {
  it('reads folder, id, name, email, login and section, quoted fields and a BOM included', () => {
    const r = parseRoster('\ufefffolder,id,name,email,section\nalice,S1,"Smith, Alice",a@x.edu,L01\r\nbob,S2,Bob,b@x.edu,\n');
    expect(r.get('alice')).toEqual({ folder: 'alice', id: 'S1', name: 'Smith, Alice', email: 'a@x.edu', login: 'a@x.edu', section: 'L01' });
    expect(r.get('bob')!.login).toBe('b@x.edu');
  });

  it('refuses what it cannot use, naming the line', () => {
    expect(() => parseRoster('folder,name\na,b', 'r.csv')).toThrow(/r\.csv, line 1: no 'id' column/);
    expect(() => parseRoster('folder,id,phone\na,1,2', 'r.csv')).toThrow(/unknown column 'phone'/);
    expect(() => parseRoster('folder,id\na,1\na,2', 'r.csv')).toThrow(/r\.csv, line 3: folder 'a' is listed twice/);
    expect(() => parseRoster('folder,id\na,1\nb,1', 'r.csv')).toThrow(/line 3: id '1' is also given to folder 'a'/);
    expect(() => parseRoster('folder,id\na,', 'r.csv')).toThrow(/line 2: needs a folder and an id/);
    expect(() => parseRoster('folder,id\n"a,1', 'r.csv')).toThrow(/line 2: a quoted field is never closed/);
    expect(() => parseRoster('', 'r.csv')).toThrow(/empty/);
  });

  it('parses CSV as spreadsheets write it', () => {
    expect(parseCsv('a,"b ""q""",c\n"multi\nline",,\n')).toEqual([
      ['a', 'b "q"', 'c'],
      ['multi\nline', '', ''],
    ]);
  });
});

describe('gradproof grade --batch --roster', () => {
  it('writes the gradebook with student ids and canvas.csv for import, and lists who is missing', async () => {
    const cls = mkdtempSync(join(tmpdir(), 'gp-roster-'));
    for (const n of ['correct-code', 'wrong-sign', 'both-forms']) cpSync(submission(n), join(cls, n), { recursive: true });
    cpSync(submission('empty'), join(cls, 'carol'), { recursive: true });
    const roster = join(mkdtempSync(join(tmpdir(), 'gp-roster-file-')), 'roster.csv');
    writeFileSync(roster, 'folder,id,name,email\ncorrect-code,S100,Alice A,alice@uni.example\nwrong-sign,S101,"=cmd|Bob",bob@uni.example\ncarol,S102,Carol C,carol@uni.example\ndave,S103,Dave D,dave@uni.example\n');
    const out = mkdtempSync(join(tmpdir(), 'gp-roster-out-'));
    const lines: string[] = [];
    const code = await runGradeCommand(undefined, { batch: cls, out, seed: '2', roster, assignment: 'Gradients HW1' }, (s) => lines.push(s), silent, { sandbox, randomSeed: () => 2 });
    expect(code).toBe(0);
    expect(lines).toContain('on the roster, not graded: carol (S102, Carol C): no submission: its folder holds no answer file');
    expect(lines).toContain('on the roster, not graded: dave (S103, Dave D): no submission folder');
    expect(lines).toContain('not on the roster: both-forms (graded; no student id in the gradebook)');

    const book = parseCsv(readFileSync(join(out, 'gradebook.csv'), 'utf8'));
    expect(book[0]!.slice(0, 5)).toEqual(['folder', 'student_id', 'name', 'email', 'section']);
    const row = (folder: string): string[] => book.find((r) => r[0] === folder)!;
    expect(row('correct-code').slice(0, 4)).toEqual(['correct-code', 'S100', 'Alice A', 'alice@uni.example']);
    expect(row('correct-code').at(-3)).toBe('52');
    expect(row('wrong-sign')[2]).toBe("'=cmd|Bob"); // a formula is written as text
    expect(row('dave').at(-1)).toBe('no submission folder');
    expect(row('both-forms')[1]).toBe('');

    const canvas = parseCsv(readFileSync(join(out, 'canvas.csv'), 'utf8'));
    expect(canvas[0]).toEqual(['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', 'Gradients HW1']);
    expect(canvas[1]).toEqual(['Points Possible', '', '', '', '', '52']);
    const byId = new Map(canvas.slice(2).map((r) => [r[2], r]));
    expect(byId.get('S100')).toEqual(['Alice A', '', 'S100', 'alice@uni.example', '', '52']);
    expect(byId.get('S103')![5]).toBe(''); // no submission: left as it is in Canvas
    expect(byId.size).toBe(4); // roster students only
  }, 120_000);

  it('refuses a roster it cannot read, or a roster without --batch', async () => {
    const run = (o: Record<string, string>, dir?: string): Promise<number> => runGradeCommand(dir, o, () => undefined, silent, { sandbox });
    const bad = join(mkdtempSync(join(tmpdir(), 'gp-roster-bad-')), 'r.csv');
    writeFileSync(bad, 'folder,name\n');
    await expect(run({ batch: submission('..'), out: tmpdir(), roster: bad })).rejects.toThrow(/--roster: .*no 'id' column/);
    await expect(run({ batch: submission('..'), out: tmpdir(), roster: join(tmpdir(), 'no-such-roster.csv') })).rejects.toThrow(/--roster: cannot read/);
    await expect(run({ roster: bad }, submission('empty'))).rejects.toThrow(/--roster and --assignment go with --batch/);
  });
});
