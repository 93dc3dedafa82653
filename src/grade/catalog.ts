/**
 * The exercise catalog: one JSON file per exercise (`fixtures/exercises/<id>.json`),
 * validated at load and compiled into an exercise the grader can run:
 * its reference as a function of the arguments, one fast-check arbitrary per
 * generator and one problem scale per test; then checked at the inputs its
 * tests generate (see checkAtGeneratedPoints).
 *
 * A scalar exercise needs no code: give `primal`, `wrt` and `domains`, and
 * the reference is math.js's `derivative` of the primal, cross-checked at
 * load against finite differences of the primal at points of the domains.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { MathNode } from 'mathjs';
import { checkGradient } from '../check/gradient.js';
import { Rng } from '../core/rng.js';
import { math } from './mathjs.js';
import { disallowed, evaluateExpression, parseAnswer } from './expressions.js';
import { generatorArb, GeneratorSpecError } from './generators.js';
import { unknownKey } from './keys.js';
import { compileProblemScale, type ProblemScaleFn } from './problem-scale.js';
import { getReference, type Reference } from './references.js';
import { anyFinite, compareValues, formatValue } from './values.js';
import type { ArgSpec, ExerciseSpec, ResultSpec, TestSpec, TestVisibility, Tolerance, Value } from './types.js';
import { TEST_VISIBILITIES } from './types.js';

export class CatalogError extends Error {
  override name = 'CatalogError';
}

/** An exercise ready to grade. */
export interface Exercise {
  spec: ExerciseSpec;
  /** The reference answer (throws outside its domain). */
  reference(args: readonly Value[]): Value;
  /** The registry reference, for exercises that name one. */
  registered?: Reference;
  /** For primal exercises: the derived derivative as math.js node. */
  derivative?: MathNode;
  /** One arbitrary per generator. */
  arbitraries: Map<string, fc.Arbitrary<Value[]>>;
  /** The magnitude the inputs give the result at one argument list, for the named test's tolerance. */
  problemScale(test: string, args: readonly Value[]): ReturnType<ProblemScaleFn>;
}

export interface Catalog {
  dir: string;
  exercises: Map<string, Exercise>;
  /** Ids in catalog order (file name order). */
  ids: string[];
  settings: CatalogSettings;
}

/** The catalog's own settings: `_settings.json` beside the exercises (optional). */
export interface CatalogSettings {
  /** Wall-clock seconds one submission's code may use over all its exercises. Default 60. */
  timeBudgetSeconds: number;
  /**
   * The least share of a test's generated inputs at which the reference must
   * be finite (checked at load on the test's own number of runs). Default 0.5:
   * most of them; a test whose region the reference cannot grade is a catalog error.
   */
  minFiniteShare: number;
  /** Gradescope's `stdout_visibility`: who sees what the autograder printed. Default 'hidden' (staff only). */
  stdoutVisibility: TestVisibility;
}

export const SETTINGS_FILE = '_settings.json';
export const DEFAULT_SETTINGS: CatalogSettings = { timeBudgetSeconds: 60, minFiniteShare: 0.5, stdoutVisibility: 'hidden' };

function readSettings(abs: string): CatalogSettings {
  const path = join(abs, SETTINGS_FILE);
  if (!existsSync(path)) return { ...DEFAULT_SETTINGS };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CatalogError(`${SETTINGS_FILE}: not valid JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CatalogError(`${SETTINGS_FILE}: must hold an object`);
  const known = Object.keys(DEFAULT_SETTINGS);
  for (const k of Object.keys(raw)) if (!known.includes(k)) throw new CatalogError(`${SETTINGS_FILE}: unknown setting '${k}' (known: ${known.join(', ')})`);
  const r = raw as Partial<Record<keyof CatalogSettings, unknown>>;
  const t = r.timeBudgetSeconds ?? DEFAULT_SETTINGS.timeBudgetSeconds;
  if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0) throw new CatalogError(`${SETTINGS_FILE}: timeBudgetSeconds must be a number of seconds > 0, got ${JSON.stringify(t)}`);
  const share = r.minFiniteShare ?? DEFAULT_SETTINGS.minFiniteShare;
  if (typeof share !== 'number' || !(share > 0 && share <= 1)) throw new CatalogError(`${SETTINGS_FILE}: minFiniteShare must be a number in (0, 1], got ${JSON.stringify(share)}`);
  const sv = r.stdoutVisibility ?? DEFAULT_SETTINGS.stdoutVisibility;
  if (typeof sv !== 'string' || !(TEST_VISIBILITIES as readonly string[]).includes(sv)) throw new CatalogError(`${SETTINGS_FILE}: stdoutVisibility must be one of ${TEST_VISIBILITIES.join(', ')}, got ${JSON.stringify(sv)}`);
  return { timeBudgetSeconds: t, minFiniteShare: share, stdoutVisibility: sv as TestVisibility };
}

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const IDENT = /^[A-Za-z_$][\w$]*$/;

function fail(file: string, msg: string): never {
  throw new CatalogError(`${file}: ${msg}`);
}

/** The keys each catalog object takes; any other key is an error naming it and the file. */
const KEYS = {
  exercise: ['id', 'title', 'export', 'args', 'result', 'prompt', 'reference', 'primal', 'wrt', 'domains', 'symbolic', 'forms', 'exprVars', 'generators', 'tolerance', 'points', 'tests'],
  arg: ['name', 'kind', 'shape', 'doc'],
  result: ['kind', 'shape', 'fields'],
  tolerance: ['rtol', 'atol', 'scale', 'problemScale'],
  test: ['name', 'generator', 'points', 'runs', 'tolerance', 'visibility'],
} as const;

function onlyKeys(o: object, known: readonly string[], file: string, where: string): void {
  const bad = unknownKey(o, known, where);
  if (bad) fail(file, bad);
}

function checkTolerance(t: unknown, file: string, where: string, exercise: boolean): asserts t is Tolerance {
  const o = t as Tolerance;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) fail(file, `${where} must be an object { rtol, atol, scale }`);
  onlyKeys(o, KEYS.tolerance, file, where);
  if (!(typeof o.rtol === 'number' && o.rtol >= 0) || !(typeof o.atol === 'number' && o.atol >= 0)) fail(file, `${where} needs rtol ≥ 0 and atol ≥ 0`);
  // Every exercise states its scale (a test's tolerance may inherit it).
  if (exercise && o.scale === undefined) fail(file, `${where}.scale must be stated: 'entry' or 'norm' (see the catalog README, "Tolerance")`);
  if (o.scale !== undefined && o.scale !== 'entry' && o.scale !== 'norm') fail(file, `${where}.scale must be 'entry' or 'norm'`);
}

function checkResult(r: unknown, file: string, where: string): asserts r is ResultSpec {
  const o = r as ResultSpec;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) fail(file, `${where} must be an object`);
  onlyKeys(o, KEYS.result, file, where);
  switch (o.kind) {
    case 'scalar':
      return;
    case 'vector':
    case 'matrix':
      if (!Array.isArray(o.shape) || o.shape.length !== (o.kind === 'vector' ? 1 : 2)) fail(file, `${where}.shape does not fit a ${o.kind}`);
      return;
    case 'record':
      if (typeof o.fields !== 'object' || o.fields === null || Object.keys(o.fields).length === 0) fail(file, `${where}.fields must name the fields`);
      for (const [k, f] of Object.entries(o.fields)) checkResult(f, file, `${where}.fields.${k}`);
      return;
    default:
      fail(file, `${where}.kind must be scalar, vector, matrix or record`);
  }
}

/** Validates one parsed catalog file; throws a CatalogError naming the file and the problem. */
export function validateSpec(raw: unknown, file: string): ExerciseSpec {
  const s = raw as ExerciseSpec;
  if (typeof s !== 'object' || s === null || Array.isArray(s)) fail(file, 'must hold a JSON object');
  onlyKeys(s, KEYS.exercise, file, 'the exercise');
  if (typeof s.id !== 'string' || !ID.test(s.id)) fail(file, 'id must be a kebab-case string');
  if (typeof s.title !== 'string' || !s.title) fail(file, 'title must be a non-empty string');
  if (typeof s.export !== 'string' || !IDENT.test(s.export)) fail(file, 'export must be a JavaScript identifier');
  if (!Array.isArray(s.args) || s.args.length === 0) fail(file, 'args must list the arguments');
  const names = new Set<string>();
  s.args.forEach((a: ArgSpec, i) => {
    if (typeof a !== 'object' || a === null || Array.isArray(a)) fail(file, `args[${i}] must be an object { name, kind, shape?, doc? }`);
    onlyKeys(a, KEYS.arg, file, `args[${i}]`);
    if (typeof a.name !== 'string' || !IDENT.test(a.name)) fail(file, `args[${i}].name must be an identifier`);
    if (names.has(a.name)) fail(file, `args[${i}]: duplicate name '${a.name}'`);
    names.add(a.name);
    if (!['scalar', 'vector', 'matrix'].includes(a.kind)) fail(file, `args[${i}].kind must be scalar, vector or matrix`);
  });
  checkResult(s.result, file, 'result');
  if (typeof s.prompt !== 'string' || !s.prompt.trim()) fail(file, 'prompt must be Markdown text');
  const hasRef = s.reference !== undefined;
  const hasPrimal = s.primal !== undefined;
  if (hasRef === hasPrimal) fail(file, 'give exactly one of reference (a registry name) or primal + wrt + domains');
  if (hasRef && (typeof s.reference !== 'string' || !getReference(s.reference))) fail(file, `reference '${String(s.reference)}' is not in src/grade/references.ts`);
  if (hasPrimal) {
    if (typeof s.primal !== 'string') fail(file, 'primal must be a math.js expression');
    if (s.result.kind !== 'scalar' || s.args.some((a) => a.kind !== 'scalar')) fail(file, 'primal exercises must be scalar (scalar arguments and result)');
    if (typeof s.wrt !== 'string' || !names.has(s.wrt)) fail(file, 'wrt must name an argument');
    if (typeof s.domains !== 'object' || s.domains === null) fail(file, 'domains must give an interval per argument');
    for (const a of s.args) {
      const d = s.domains[a.name];
      if (!Array.isArray(d) || d.length !== 2 || !(d[0] < d[1])) fail(file, `domains.${a.name} must be [low, high] with low < high`);
    }
  }
  if (typeof s.generators !== 'object' || s.generators === null || Object.keys(s.generators).length === 0) fail(file, 'generators must name at least one generator');
  checkTolerance(s.tolerance, file, 'tolerance', true);
  if (!Array.isArray(s.tests) || s.tests.length === 0) fail(file, 'tests must list the named tests');
  const testNames = new Set<string>();
  let sum = 0;
  s.tests.forEach((t: TestSpec, i) => {
    if (typeof t !== 'object' || t === null || Array.isArray(t)) fail(file, `tests[${i}] must be an object { name, generator, points, runs }`);
    onlyKeys(t, KEYS.test, file, `tests[${i}]`);
    if (typeof t.name !== 'string' || !t.name) fail(file, `tests[${i}].name must be a string`);
    if (testNames.has(t.name)) fail(file, `tests[${i}]: duplicate name '${t.name}'`);
    testNames.add(t.name);
    if (!Object.hasOwn(s.generators, t.generator)) fail(file, `tests[${i}] ('${t.name}') uses unknown generator '${t.generator}'`);
    if (!(typeof t.points === 'number' && t.points >= 0)) fail(file, `tests[${i}].points must be a number ≥ 0`);
    if (!(Number.isInteger(t.runs) && t.runs >= 1)) fail(file, `tests[${i}].runs must be an integer ≥ 1`);
    if (t.tolerance !== undefined) checkTolerance(t.tolerance, file, `tests[${i}].tolerance`, false);
    if (t.visibility !== undefined && !TEST_VISIBILITIES.includes(t.visibility)) {
      fail(file, `tests[${i}].visibility must be one of ${TEST_VISIBILITIES.join(', ')}, got ${JSON.stringify(t.visibility)}`);
    }
    sum += t.points;
  });
  if (typeof s.points !== 'number' || Math.abs(sum - s.points) > 1e-9) fail(file, `points (${s.points}) must be the sum of the tests' points (${sum})`);
  if (!Array.isArray(s.forms) || s.forms.length === 0 || s.forms.some((f) => f !== 'expression' && f !== 'code')) {
    fail(file, "forms must list 'expression' and/or 'code'");
  }
  if (s.forms.includes('expression')) {
    if (!Array.isArray(s.exprVars) || s.exprVars.length === 0) fail(file, 'an exercise accepting expressions needs exprVars');
    if (s.result.kind !== 'scalar' && s.result.kind !== 'vector') fail(file, 'expressions answer scalar or vector (elementwise) exercises only');
    for (const v of s.exprVars) {
      const a = s.args.find((x) => x.name === v);
      if (!a) fail(file, `exprVars names '${v}', which is not an argument`);
      if (a.kind === 'matrix') fail(file, `exprVars '${v}' is a matrix; expressions are elementwise over scalars and vectors`);
    }
    if (s.result.kind === 'vector' && !s.exprVars.some((v) => s.args.find((a) => a.name === v)!.kind === 'vector')) {
      fail(file, 'a vector exercise accepting expressions needs a vector among exprVars');
    }
  } else if (s.exprVars !== undefined && s.exprVars.length > 0) {
    fail(file, "exprVars given but forms does not include 'expression'");
  }
  if (s.symbolic !== undefined) {
    if (typeof s.symbolic !== 'string') fail(file, 'symbolic must be a math.js expression');
    let node: MathNode;
    try {
      node = math.parse(s.symbolic);
    } catch (e) {
      fail(file, `symbolic does not parse: ${(e as Error).message}`);
    }
    const why = disallowed(node, s.exprVars ?? []);
    if (why) fail(file, `symbolic: ${why}`);
  }
  return s;
}

/** Points of the domains where a primal's derived derivative is cross-checked. */
const PRIMAL_CHECK_POINTS = 12;

function derivePrimal(s: ExerciseSpec, file: string): { node: MathNode; at(args: readonly Value[]): number } {
  let primal: MathNode;
  let deriv: MathNode;
  try {
    primal = math.parse(s.primal!);
    deriv = math.derivative(primal, s.wrt!);
  } catch (e) {
    fail(file, `cannot differentiate the primal: ${(e as Error).message}`);
  }
  const names = s.args.map((a) => a.name);
  const why = disallowed(primal, names);
  if (why) fail(file, `primal: ${why}`);
  const fp = primal.compile();
  const fd = deriv.compile();
  const scope = (args: readonly Value[]): Record<string, number> => Object.fromEntries(names.map((n, i) => [n, args[i] as number]));
  const at = (args: readonly Value[]): number => {
    const v: unknown = fd.evaluate(scope(args));
    return typeof v === 'number' ? v : NaN;
  };
  // Cross-check the derived derivative against finite differences of the primal.
  const rng = new Rng(0x9e3779b9);
  const wi = names.indexOf(s.wrt!);
  for (let k = 0; k < PRIMAL_CHECK_POINTS; k++) {
    const point = s.args.map((a) => {
      const [lo, hi] = s.domains![a.name]!;
      // Strictly inside the open interval, away from its ends by 5% of its width.
      return lo + (0.05 + 0.9 * rng.uniform()) * (hi - lo);
    });
    const f = (x: Float64Array): number => {
      const p = point.slice();
      p[wi] = x[0]!;
      const v: unknown = fp.evaluate(scope(p));
      return typeof v === 'number' ? v : NaN;
    };
    const g = (x: Float64Array): Float64Array => {
      const p = point.slice();
      p[wi] = x[0]!;
      return Float64Array.of(at(p));
    };
    const r = checkGradient(f, g, [point[wi]!], { rtol: 1e-6 });
    if (!r.ok) {
      fail(
        file,
        `math.js derivative ${deriv.toString()} of the primal disagrees with finite differences at ${names.map((n, i) => `${n}=${point[i]}`).join(', ')}: ${r.reasons.join('; ')}`,
      );
    }
  }
  return { node: deriv, at };
}

/** The reference where an answer can be graded against it: undefined outside its domain or where no entry is finite. */
export function referenceAt(ex: Exercise, args: readonly Value[]): Value | undefined {
  try {
    const e = ex.reference(args);
    return anyFinite(e) ? e : undefined;
  } catch {
    return undefined;
  }
}

/** The tolerance a test grades with: its own rtol/atol, the exercise's scale and problem scale unless it gives them. */
export function testTolerance(s: ExerciseSpec, t: TestSpec): Tolerance {
  return t.tolerance ? { ...s.tolerance, ...t.tolerance } : s.tolerance;
}

/** The seed of the points drawn at load to check a catalog file (fixed: the checks give the same verdict every time). */
const LOAD_SEED = 0x5eed;

/**
 * The load-time checks that keep a catalog from lying: at the inputs each
 * test's generator draws (as many as the test runs), the reference must be
 * finite at no fewer than `minFiniteShare` of them, the problem scale must be
 * a finite number ≥ 0, and the `symbolic` form, if any, must agree with the
 * reference within the test's tolerance.
 */
function checkAtGeneratedPoints(ex: Exercise, file: string, settings: CatalogSettings): void {
  const s = ex.spec;
  let symbolic: ReturnType<typeof parseAnswer> | undefined;
  if (s.symbolic !== undefined) {
    symbolic = parseAnswer(s.symbolic, s.exprVars ?? []);
    if (!symbolic.ok) fail(file, `symbolic: ${symbolic.error}`);
  }
  for (const t of s.tests) {
    const points = fc.sample(ex.arbitraries.get(t.generator)!, { seed: LOAD_SEED, numRuns: t.runs });
    let finite = 0;
    for (const args of points) {
      const expected = referenceAt(ex, args);
      if (expected === undefined) continue;
      finite++;
      let scale: ReturnType<ProblemScaleFn>;
      try {
        scale = ex.problemScale(t.name, args);
      } catch (e) {
        fail(file, `test '${t.name}': ${(e as Error).message} at ${pointText(s, args)}`);
      }
      if (symbolic?.ok) {
        const got = evaluateExpression(symbolic.expr, s, args);
        const c = compareValues(expected, got, testTolerance(s, t), scale);
        if (!c.ok) fail(file, `symbolic form ${s.symbolic} disagrees with the reference of '${s.id}' (test '${t.name}') at ${pointText(s, args)}: ${c.message}`);
      }
    }
    const share = points.length ? finite / points.length : 0;
    if (share < settings.minFiniteShare) {
      fail(
        file,
        `test '${t.name}': the reference is finite at only ${finite} of ${points.length} inputs its generator '${t.generator}' draws (${Math.round(share * 100)}%, at least ${Math.round(settings.minFiniteShare * 100)}% needed: minFiniteShare in ${SETTINGS_FILE}); such a test would grade almost nothing`,
      );
    }
  }
}

function pointText(s: ExerciseSpec, args: readonly Value[]): string {
  return s.args.map((a, i) => `${a.name} = ${formatValue(args[i], 4)}`).join(', ');
}

/** Compiles a validated spec into a gradable exercise and runs the load-time checks (see checkAtGeneratedPoints). */
export function compileExercise(s: ExerciseSpec, file = `${s.id}.json`, settings: CatalogSettings = DEFAULT_SETTINGS): Exercise {
  const arbitraries = new Map<string, fc.Arbitrary<Value[]>>();
  for (const [name, g] of Object.entries(s.generators)) {
    try {
      arbitraries.set(name, generatorArb(s, g, name));
    } catch (e) {
      if (e instanceof GeneratorSpecError) fail(file, e.message);
      throw e;
    }
  }
  const scales = new Map<string, ProblemScaleFn>();
  for (const [i, t] of s.tests.entries()) {
    try {
      scales.set(t.name, compileProblemScale(s, testTolerance(s, t), t.tolerance?.problemScale !== undefined ? `tests[${i}].tolerance.problemScale` : 'tolerance.problemScale'));
    } catch (e) {
      fail(file, (e as Error).message);
    }
  }
  const problemScale = (test: string, args: readonly Value[]): ReturnType<ProblemScaleFn> => scales.get(test)?.(args);
  const primal = s.primal !== undefined ? derivePrimal(s, file) : undefined;
  const registered = primal ? undefined : getReference(s.reference!)!;
  const reference = primal ? primal.at : (args: readonly Value[]): Value => registered!.compute(args);
  const ex: Exercise = {
    spec: s,
    reference,
    arbitraries,
    problemScale,
    ...(primal ? { derivative: primal.node } : { registered: registered! }),
  };
  checkAtGeneratedPoints(ex, file, settings);
  return ex;
}

/** The folder holding `fixtures/exercises`, found by walking up from this file (works from src/ and dist/). */
export function defaultCatalogDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const c = join(dir, 'fixtures', 'exercises');
    if (existsSync(c) && existsSync(join(dir, 'package.json'))) return c;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new CatalogError('cannot find fixtures/exercises above the grader; pass the catalog folder explicitly');
}

const cache = new Map<string, Catalog>();

/** What `checkCatalog` found: every problem of every file, and the exercises that passed. */
export interface CatalogCheck {
  dir: string;
  /** One message per problem, each naming its file. */
  errors: string[];
  /** Ids of the exercises that loaded and passed every check. */
  ids: string[];
  /** Their specs, in the same order. */
  specs: ExerciseSpec[];
}

function readCatalog(abs: string): { catalog?: Catalog; errors: string[]; exercises: Map<string, Exercise> } {
  if (!existsSync(abs)) return { errors: [`catalog folder ${abs} does not exist`], exercises: new Map() };
  const errors: string[] = [];
  let settings: CatalogSettings = DEFAULT_SETTINGS;
  try {
    settings = readSettings(abs);
  } catch (e) {
    errors.push((e as Error).message);
  }
  // exercise ids are kebab-case, so a file starting with '_' is never an exercise
  const files = readdirSync(abs)
    .filter((f) => f.endsWith('.json') && !f.startsWith('_'))
    .sort();
  if (files.length === 0) return { errors: [...errors, `catalog folder ${abs} holds no exercise (.json)`], exercises: new Map() };
  const exercises = new Map<string, Exercise>();
  const ids: string[] = [];
  const exports = new Map<string, string>();
  for (const f of files) {
    try {
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(join(abs, f), 'utf8'));
      } catch (e) {
        fail(f, `not valid JSON: ${(e as Error).message}`);
      }
      const spec = validateSpec(raw, f);
      if (`${spec.id}.json` !== f) fail(f, `the file must be named after its id (${spec.id}.json)`);
      const other = exports.get(spec.export);
      if (other) fail(f, `export '${spec.export}' is also used by ${other}`);
      exports.set(spec.export, spec.id);
      exercises.set(spec.id, compileExercise(spec, f, settings));
      ids.push(spec.id);
    } catch (e) {
      if (!(e instanceof CatalogError)) throw e;
      errors.push(e.message);
    }
  }
  return errors.length ? { errors, exercises } : { catalog: { dir: abs, exercises, ids, settings }, errors, exercises };
}

/**
 * Checks a catalog folder as `loadCatalog` does, but reports every problem of
 * every file instead of stopping at the first (`gradproof catalog check DIR`).
 * Not cached: a course's CI checks the files as they are now.
 */
export function checkCatalog(dir: string): CatalogCheck {
  const abs = resolve(dir);
  const r = readCatalog(abs);
  return { dir: abs, errors: r.errors, ids: [...r.exercises.keys()], specs: [...r.exercises.values()].map((e) => e.spec) };
}

/**
 * Loads, validates and compiles every `*.json` of the folder (default: the
 * project's `fixtures/exercises`), running the load-time checks. Each file's
 * name must be its id. An invalid file stops it: a CatalogError names every
 * problem found. Cached per folder.
 */
export function loadCatalog(dir = defaultCatalogDir()): Catalog {
  const abs = resolve(dir);
  const hit = cache.get(abs);
  if (hit) return hit;
  const r = readCatalog(abs);
  if (!r.catalog) throw new CatalogError(r.errors.length === 1 ? r.errors[0]! : `${r.errors.length} problems in the catalog ${abs}:\n${r.errors.map((e) => `  ${e}`).join('\n')}`);
  cache.set(abs, r.catalog);
  return r.catalog;
}

/** The exercises selected by `--exercises a,b` (all when none given); throws naming unknown ids. */
export function selectExercises(catalog: Catalog, ids?: readonly string[]): Exercise[] {
  if (!ids || ids.length === 0) return catalog.ids.map((id) => catalog.exercises.get(id)!);
  const unknown = ids.filter((id) => !catalog.exercises.has(id));
  if (unknown.length) throw new CatalogError(`unknown exercise id${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (known: ${catalog.ids.join(', ')})`);
  return [...new Set(ids)].map((id) => catalog.exercises.get(id)!);
}
