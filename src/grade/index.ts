/**
 * `gradproof/grade`: the coursework grader (docs/exercises.md). Grades a
 * submission folder or a class of them against the exercise catalog, and
 * writes Gradescope, JUnit, JSON, text and HTML reports. Code answers need
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
} from './types.js';
export { loadCatalog, selectExercises, defaultCatalogDir, CatalogError, type Catalog, type Exercise } from './catalog.js';
export { gradeSubmission, DEFAULT_LIMITS, type GradeOptions, type SandboxApi } from './grader.js';
export { gradeBatch, gradebookCsv, writeBatchOutputs, submissionFolders, type BatchOptions } from './batch.js';
export { toGradescope, toJunit, toJson, toText, GRADE_FORMATS, type GradeFormat, type GradescopeResults, type GradescopeTest } from './formats.js';
export { toHtml, classReportHtml, summarizeClass, type ClassSummary } from './html.js';
