/**
 * The exercise catalog: one JSON file per exercise (`fixtures/exercises/<id>.json`),
 * validated at load and compiled into an exercise the grader can run:
 * its reference as a function of the arguments, one fast-check arbitrary per
 * generator, and (for expression answers) the closed form math.js may prove
 * an answer equal to.
 *
 * A scalar exercise needs no code: give `primal`, `wrt` and `domains`, and
 * the reference is math.js's `derivative` of the primal, cross-checked at
 * load against finite differences of the primal at points of the domains.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type fc from 'fast-check';
import type { MathNode } from 'mathjs';
import { checkGradient } from '../check/gradient.js';
import { Rng } from '../core/rng.js';
import { math } from './mathjs.js';
import { disallowed } from './expressions.js';
import { generatorArb, GeneratorSpecError } from './generators.js';
import { getReference, type Reference } from './references.js';
import type { ArgSpec, ExerciseSpec, ResultSpec, TestSpec, Tolerance, Value } from './types.js';

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
  /** The closed form an expression may be proved equal to. */
  symbolic?: MathNode;
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
}

export const SETTINGS_FILE = '_settings.json';
export const DEFAULT_SETTINGS: CatalogSettings = { timeBudgetSeconds: 60 };

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
  const t = (raw as { timeBudgetSeconds?: unknown }).timeBudgetSeconds ?? DEFAULT_SETTINGS.timeBudgetSeconds;
  if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0) throw new CatalogError(`${SETTINGS_FILE}: timeBudgetSeconds must be a number of seconds > 0, got ${JSON.stringify(t)}`);
  return { timeBudgetSeconds: t };
}

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const IDENT = /^[A-Za-z_$][\w$]*$/;

function fail(file: string, msg: string): never {
  throw new CatalogError(`${file}: ${msg}`);
}

function checkTolerance(t: unknown, file: string, where: string): asserts t is Tolerance {
  const o = t as Tolerance;
  if (typeof o !== 'object' || o === null || !(o.rtol >= 0) || !(o.atol >= 0)) fail(file, `${where} needs rtol ≥ 0 and atol ≥ 0`);
  if (o.scale !== undefined && o.scale !== 'entry' && o.scale !== 'norm') fail(file, `${where}.scale must be 'entry' or 'norm'`);
}

function checkResult(r: unknown, file: string, where: string): asserts r is ResultSpec {
  const o = r as ResultSpec;
  if (typeof o !== 'object' || o === null) fail(file, `${where} must be an object`);
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
  if (typeof s.id !== 'string' || !ID.test(s.id)) fail(file, 'id must be a kebab-case string');
  if (typeof s.title !== 'string' || !s.title) fail(file, 'title must be a non-empty string');
  if (typeof s.export !== 'string' || !IDENT.test(s.export)) fail(file, 'export must be a JavaScript identifier');
  if (!Array.isArray(s.args) || s.args.length === 0) fail(file, 'args must list the arguments');
  const names = new Set<string>();
  s.args.forEach((a: ArgSpec, i) => {
    if (typeof a?.name !== 'string' || !IDENT.test(a.name)) fail(file, `args[${i}].name must be an identifier`);
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
  checkTolerance(s.tolerance, file, 'tolerance');
  if (!Array.isArray(s.tests) || s.tests.length === 0) fail(file, 'tests must list the named tests');
  const testNames = new Set<string>();
  let sum = 0;
  s.tests.forEach((t: TestSpec, i) => {
    if (typeof t?.name !== 'string' || !t.name) fail(file, `tests[${i}].name must be a string`);
    if (testNames.has(t.name)) fail(file, `tests[${i}]: duplicate name '${t.name}'`);
    testNames.add(t.name);
    if (!Object.hasOwn(s.generators, t.generator)) fail(file, `tests[${i}] ('${t.name}') uses unknown generator '${t.generator}'`);
    if (!(typeof t.points === 'number' && t.points >= 0)) fail(file, `tests[${i}].points must be a number ≥ 0`);
    if (!(Number.isInteger(t.runs) && t.runs >= 1)) fail(file, `tests[${i}].runs must be an integer ≥ 1`);
    if (t.tolerance !== undefined) checkTolerance(t.tolerance, file, `tests[${i}].tolerance`);
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

/** Compiles a validated spec into a gradable exercise. */
export function compileExercise(s: ExerciseSpec, file = `${s.id}.json`): Exercise {
  const arbitraries = new Map<string, fc.Arbitrary<Value[]>>();
  for (const [name, g] of Object.entries(s.generators)) {
    try {
      arbitraries.set(name, generatorArb(s, g, name));
    } catch (e) {
      if (e instanceof GeneratorSpecError) fail(file, e.message);
      throw e;
    }
  }
  if (s.primal !== undefined) {
    const d = derivePrimal(s, file);
    let symbolic: MathNode = d.node;
    if (s.symbolic !== undefined) symbolic = math.parse(s.symbolic);
    return { spec: s, reference: d.at, derivative: d.node, arbitraries, symbolic };
  }
  const ref = getReference(s.reference!)!;
  return {
    spec: s,
    reference: (args) => ref.compute(args),
    registered: ref,
    arbitraries,
    ...(s.symbolic !== undefined ? { symbolic: math.parse(s.symbolic) } : {}),
  };
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

/**
 * Loads, validates and compiles every `*.json` of the folder (default: the
 * project's `fixtures/exercises`). Each file's name must be its id. Cached
 * per folder.
 */
export function loadCatalog(dir = defaultCatalogDir()): Catalog {
  const abs = resolve(dir);
  const hit = cache.get(abs);
  if (hit) return hit;
  if (!existsSync(abs)) throw new CatalogError(`catalog folder ${abs} does not exist`);
  // exercise ids are kebab-case, so a file starting with '_' is never an exercise
  const files = readdirSync(abs)
    .filter((f) => f.endsWith('.json') && !f.startsWith('_'))
    .sort();
  if (files.length === 0) throw new CatalogError(`catalog folder ${abs} holds no exercise (.json)`);
  const exercises = new Map<string, Exercise>();
  const ids: string[] = [];
  const exports = new Map<string, string>();
  for (const f of files) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(abs, f), 'utf8'));
    } catch (e) {
      throw new CatalogError(`${f}: not valid JSON: ${(e as Error).message}`);
    }
    const spec = validateSpec(raw, f);
    if (`${spec.id}.json` !== f) throw new CatalogError(`${f}: the file must be named after its id (${spec.id}.json)`);
    const other = exports.get(spec.export);
    if (other) throw new CatalogError(`${f}: export '${spec.export}' is also used by ${other}`);
    exports.set(spec.export, spec.id);
    exercises.set(spec.id, compileExercise(spec, f));
    ids.push(spec.id);
  }
  const catalog = { dir: abs, exercises, ids, settings: readSettings(abs) };
  cache.set(abs, catalog);
  return catalog;
}

/** The exercises selected by `--exercises a,b` (all when none given); throws naming unknown ids. */
export function selectExercises(catalog: Catalog, ids?: readonly string[]): Exercise[] {
  if (!ids || ids.length === 0) return catalog.ids.map((id) => catalog.exercises.get(id)!);
  const unknown = ids.filter((id) => !catalog.exercises.has(id));
  if (unknown.length) throw new CatalogError(`unknown exercise id${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (known: ${catalog.ids.join(', ')})`);
  return [...new Set(ids)].map((id) => catalog.exercises.get(id)!);
}
