/**
 * The gradebooks of a batch: `gradebook.csv` (one row per student: folder,
 * roster fields, each exercise, total, max, problems) and, with a roster,
 * `canvas.csv` in the layout Canvas's gradebook import reads.
 */
import type { ClassResult } from './types.js';
import { toCsv } from './csv.js';

/** One row per graded folder, then one per roster student without a submission (empty scores, and why). */
export function gradebookCsv(result: ClassResult, exerciseIds?: readonly string[]): string {
  const ids = exerciseIds ?? [...new Set(result.entries.flatMap((e) => e.report.exercises.map((x) => x.id)))];
  const header = ['folder', 'student_id', 'name', 'email', 'section', ...ids, 'total', 'max', 'problems'];
  const rows: (string | number)[][] = result.entries.map(({ report: r, student: s }) => {
    const byId = new Map(r.exercises.map((e) => [e.id, e.score]));
    return [r.submission, s?.id ?? '', s?.name ?? '', s?.email ?? '', s?.section ?? '', ...ids.map((id) => byId.get(id) ?? 0), r.score, r.maxScore, r.errors.join(' | ')];
  });
  const max = result.entries[0]?.report.maxScore ?? '';
  for (const s of result.absent) rows.push([s.folder, s.id, s.name, s.email, s.section, ...ids.map(() => ''), '', max, s.why]);
  return toCsv([header, ...rows]);
}

/**
 * Canvas's gradebook CSV: the columns `Student`, `ID`, `SIS User ID`,
 * `SIS Login ID`, `Section`, then one column for the assignment (a new
 * assignment when no column of that name exists in the course), and a
 * `Points Possible` row under the header. Canvas matches each row on
 * `SIS User ID` (the roster's id) or `SIS Login ID` (its login or e-mail);
 * `ID` is Canvas's own user id, left empty. Only roster students are
 * written; one without a submission gets an empty cell, which Canvas's
 * import leaves as it was.
 */
export function canvasCsv(result: ClassResult, assignment: string): string {
  const max = result.entries[0]?.report.maxScore ?? 0;
  const rows: (string | number)[][] = [
    ['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', assignment],
    ['Points Possible', '', '', '', '', max],
  ];
  for (const { report, student: s } of result.entries) if (s) rows.push([s.name || s.folder, '', s.id, s.login, s.section, report.score]);
  for (const s of result.absent) rows.push([s.name || s.folder, '', s.id, s.login, s.section, '']);
  return toCsv(rows);
}
