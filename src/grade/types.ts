/**
 * The exercise catalog's types (one JSON file per exercise under
 * `fixtures/exercises/`) and the grader's results.
 *
 * Values crossing between the generators, the references, the answers and the
 * comparison are plain JSON data: a scalar is a number, a vector `number[]`, a
 * matrix an array of rows `number[][]`, a structured result a record of those.
 */

/** A plain value: what a generator produces and what an answer returns. */
export type Value = number | number[] | number[][] | { [field: string]: Value };

/** A dimension of a shape: a symbol shared between arguments (`"m"`, `"n"`) or a fixed size. */
export type Dim = string | number;

export type ArgKind = 'scalar' | 'vector' | 'matrix';

export interface ArgSpec {
  name: string;
  kind: ArgKind;
  /** Vectors: `[len]`; matrices: `[rows, cols]`; symbols shared between args say how the shapes relate. */
  shape?: Dim[];
  /** What the argument is, in words (shown in the prompt's argument table). */
  doc?: string;
}

export type ResultSpec =
  | { kind: 'scalar' }
  | { kind: 'vector'; shape: Dim[] }
  | { kind: 'matrix'; shape: Dim[] }
  | { kind: 'record'; fields: Record<string, ResultSpec> };

/**
 * How one number (or a whole argument) is drawn. Entry specs apply to every
 * entry of a vector or matrix argument; `probabilityVector`, `psd` and
 * `lowRank` draw the whole argument.
 */
export type ValueSpec =
  /** A double uniformly in [min, max] (shrinks towards 0, or towards the end nearest 0). */
  | { uniform: [number, number]; step?: number }
  /** |v| log-uniform in [min, max] (both > 0): tiny and huge magnitudes; sign 'positive' (default), 'negative' or 'both'. */
  | { logUniform: [number, number]; sign?: 'positive' | 'negative' | 'both' }
  /** `to ± d` with d log-uniform in `within` ([min, max], both > 0): e.g. probabilities within 1e-6 of 1. */
  | { near: number; within: [number, number]; side?: 'below' | 'above' | 'both' }
  /** An integer in [min, max]. */
  | { integer: [number, number] }
  /** 0 or 1 (dropout masks). */
  | { bernoulli: true }
  /** Always this value. */
  | { constant: number }
  /** One of several specs, chosen at random. */
  | { oneOf: ValueSpec[] }
  /** A whole vector: non-negative, summing to 1. 'dense', 'onehot' or 'peaked' (one entry near 1, the rest near 0). */
  | { probabilityVector: 'dense' | 'onehot' | 'peaked' }
  /** A whole symmetric positive semi-definite [n, n] matrix AᵀA, A [r, n]; rank 'full' (r ≥ n) or 'deficient' (r < n). */
  | { psd: 'full' | 'deficient'; entries?: ValueSpec }
  /** A whole [r, c] matrix U·V of the given rank (below min(r, c) when possible): rank-deficient data. */
  | { lowRank: number; entries?: ValueSpec };

/** A dimension's size: a fixed integer or an inclusive range. */
export type DimRange = number | [number, number];

export interface GeneratorSpec {
  /** What region of inputs this is, in words. */
  doc?: string;
  /** Size of every shape symbol. */
  dims: Record<string, DimRange>;
  /** Relations between the dims: `"n != k"`, `"m >= 2"` (symbols or integers, operators == != < <= > >=). */
  constraints?: string[];
  /** How each argument's values are drawn (every argument must be named). */
  values: Record<string, ValueSpec>;
}

export interface Tolerance {
  /** Relative tolerance. */
  rtol: number;
  /** Absolute tolerance. */
  atol: number;
  /**
   * 'entry' (default): each entry within atol + rtol·|expected entry|.
   * 'norm': within atol + rtol·max|expected| of its field (results computed by
   * sums that cancel, where a correct answer computed in another order can
   * differ from the reference by rounding relative to the largest entry).
   */
  scale?: 'entry' | 'norm';
  /**
   * The magnitude the inputs give the result, as a math.js expression over
   * the arguments and shape symbols (`"max(abs(wStar))"`, `"m * max(abs(dY))"`),
   * or one per field of a record result. An entry's error is measured against
   * the larger of this and the reference's own scale, so that an answer
   * accurate relative to the problem passes where the reference is near 0.
   */
  problemScale?: string | Record<string, string>;
}

export interface TestSpec {
  /** e.g. "generic points", "edge region", "shapes". */
  name: string;
  /** A key of `generators`. */
  generator: string;
  /** Points this test is worth. */
  points: number;
  /** How many generated inputs it tries. */
  runs: number;
  /** Overrides the exercise's tolerance for this test (scale and problemScale, when left out, are the exercise's). */
  tolerance?: Tolerance;
  /** Who sees this test's result on Gradescope: 'visible' (default), 'hidden', 'after_due_date', 'after_published'. */
  visibility?: TestVisibility;
}

/** Gradescope's visibilities, as a test's `visibility` field gives them. */
export const TEST_VISIBILITIES = ['visible', 'hidden', 'after_due_date', 'after_published'] as const;
export type TestVisibility = (typeof TEST_VISIBILITIES)[number];

export type FormName = 'expression' | 'code';

/** An exercise as stored in `fixtures/exercises/<id>.json`. */
export interface ExerciseSpec {
  id: string;
  title: string;
  /** The export name a code answer must use. */
  export: string;
  /** Arguments, in order. */
  args: ArgSpec[];
  result: ResultSpec;
  /** Markdown with LaTeX. */
  prompt: string;
  /** The reference's name in `src/grade/references.ts`; or, for a scalar exercise, `primal` + `wrt` + `domains`. */
  reference?: string;
  /** math.js expression of the primal; the reference is its math.js `derivative` with respect to `wrt`. */
  primal?: string;
  wrt?: string;
  /** Where the derived reference is cross-checked against finite differences of the primal at load. */
  domains?: Record<string, [number, number]>;
  generators: Record<string, GeneratorSpec>;
  tolerance: Tolerance;
  /** Total points: the sum of the tests' points. */
  points: number;
  tests: TestSpec[];
  /** Accepted answer forms. */
  forms: FormName[];
  /** Variables an expression answer may use (the exercise's scalar or elementwise arguments). */
  exprVars?: string[];
  /**
   * A math.js closed form of the answer over `exprVars` (elementwise for
   * vectors): a second derivation, checked against the reference at every
   * test's generated inputs at load (a mismatch is a catalog error). It never
   * grades: answers are graded numerically only.
   */
  symbolic?: string;
}

// ---------------------------------------------------------------- results

/** The smallest input fast-check shrank a failure to, with what went wrong there. */
export interface Counterexample {
  /** Arguments by name. */
  inputs: Record<string, Value>;
  expected?: Value;
  got?: unknown;
  /** What was wrong, in one line. */
  message: string;
  /** The first wrong entry: its path (`[2]`, `dA[1][0]`) and the two values. */
  firstWrong?: { path: string; expected: number; got: unknown };
  /** A guess at the kind of mistake ("sign flipped", "transposed", …). */
  diagnosis?: string;
  /** fast-check's run seed and path for replaying this counterexample. */
  seed: number;
  path?: string;
  shrinks: number;
}

export interface TestResult {
  name: string;
  maxPoints: number;
  points: number;
  passed: boolean;
  /** Inputs tried (including the ones skipped because the reference is not finite there). */
  runs: number;
  skipped: number;
  counterexample?: Counterexample;
  /** Feedback text. */
  output: string;
  /** Wall time, milliseconds (when measured). */
  ms?: number;
}

export interface FormResult {
  form: FormName;
  /** The expression as written, or the code file's name. */
  answer?: string;
  /** 'graded'; 'invalid' (the answer could not be used at all: syntax, not allowed, load error). */
  status: 'graded' | 'invalid';
  /** Why the answer is invalid. */
  error?: string;
  tests: TestResult[];
  score: number;
}

export interface ExerciseResult {
  id: string;
  title: string;
  maxScore: number;
  /** The mean of the graded forms' scores; 0 when missing. */
  score: number;
  missing: boolean;
  forms: FormResult[];
  /** One line per test, over every graded form (the mean of the forms' points). */
  tests: { name: string; maxPoints: number; points: number; passed: boolean; output: string; ms?: number; visibility?: TestVisibility }[];
}

export interface GradeReport {
  /** The submission folder's name. */
  submission: string;
  seed: number;
  score: number;
  maxScore: number;
  exercises: ExerciseResult[];
  /** Problems with the submission that did not stop the grading (malformed answers.json, unknown ids…). */
  errors: string[];
  /** The layers of confinement the submission's code ran inside, outermost first (`bubblewrap, rlimits, own uid, permission model, isolate`), or why none was needed. */
  confinement: string;
  /** The command that grades the submission again exactly so (seed, catalog folder, exercises, time budget): for staff, not students. */
  reproduce: string;
  /** Wall time of the grading. */
  ms: number;
}

// ---------------------------------------------------------------- a class

/** A roster row: the student a submission folder belongs to. */
export interface Student {
  folder: string;
  /** The institution's student id (Canvas: SIS User ID). */
  id: string;
  name: string;
  email: string;
  /** Canvas: SIS Login ID. */
  login: string;
  section: string;
}

/** One graded folder. */
export interface BatchEntry {
  /** The folder's name as it is on disk (the roster's key). */
  folder: string;
  report: GradeReport;
  /** The roster's student for this folder, if any. */
  student?: Student;
}

/** What a batch graded, and what it did not. */
export interface ClassResult {
  entries: BatchEntry[];
  /** Folders that are not submissions (no answer file at their top), with why: reported, not graded. */
  skipped: { folder: string; why: string }[];
  /** Roster students with no submission: no folder, or a folder without an answer file (`why` says which). */
  absent: (Student & { why: string })[];
  /** Submission folders the roster does not list (graded, but no student id). */
  unlisted: string[];
}

