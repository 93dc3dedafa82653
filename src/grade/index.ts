/**
 * `gradproof/grade`: the coursework grader (docs/exercises.md). Grades a
 * submission folder or a class of them against the exercise catalog, and
 * writes Gradescope, PrairieLearn, JUnit, JSON, text and HTML reports, the
 * class report and gradebooks (Canvas's import with a roster). Code answers need
 * the optional peer dependencies isolated-vm (and typescript for .ts files).
 */
export type {
  Value as GradeValue,
  ArgSpec,
  ResultSpec,
  ValueSpec,
  GeneratorSpec,
  Tolerance,
  TestSpec,
  ExerciseSpec,
  Counterexample,
  TestResult,
  FormResult,
  ExerciseResult,
  GradeReport,
  TestVisibility,
} from './types.js';
export { loadCatalog, checkCatalog, selectExercises, defaultCatalogDir, CatalogError, type Catalog, type CatalogCheck, type Exercise } from './catalog.js';
export { gradeSubmission, DEFAULT_LIMITS, type GradeOptions, type SandboxApi } from './grader.js';
export { gradeBatch, writeBatchOutputs, submissionFolders, classFolders, type BatchOptions, type BatchEntry, type ClassResult, type BatchFiles, type BatchOutputOptions } from './batch.js';
export { gradebookCsv, canvasCsv } from './gradebook.js';
export { parseRoster, RosterError, type Roster, type Student } from './roster.js';
export { toGradescope, toPrairieLearn, toJunit, toJson, toText, renderReport, GRADE_FORMATS, type GradeFormat, type GradescopeResults, type GradescopeTest, type PrairieLearnResults, type PrairieLearnTest } from './formats.js';
export { toHtml } from './html.js';
export { classReportHtml, summarizeClass, type ClassSummary } from './class-report.js';
export { catalogSheetHtml } from './sheet.js';
