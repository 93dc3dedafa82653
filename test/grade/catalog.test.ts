/**
 * The exercise catalog: every id of the coursework spec with its export name
 * and argument order, valid generator specs, references with the declared
 * result shapes, and every reference held against finite differences of its
 * primal with checkGradient.
 */
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkGradient } from '../../src/check/gradient.js';
import { formatResult } from '../../src/check/format.js';
import { CatalogError, compileExercise, defaultCatalogDir, loadCatalog, validateSpec } from '../../src/grade/catalog.js';
import { dimsOf } from '../../src/grade/generators.js';
import { references } from '../../src/grade/references.js';
import type { ExerciseSpec, ResultSpec, Value } from '../../src/grade/types.js';

/** The table of the coursework spec (exercises.md): id, export, argument names in order, expr vars. */
const SPEC: [string, string, string[], string[]][] = [
  ['sigmoid-derivative', 'sigmoidDerivative', ['a'], ['a']],
  ['l2-penalty-gradient', 'l2PenaltyGradient', ['w', 'alpha'], ['w', 'alpha']],
  ['weight-decay-step', 'weightDecayStep', ['w', 'grad', 'lr', 'alpha'], ['w', 'grad', 'lr', 'alpha']],
  ['weight-decay-shrink-factor', 'weightDecayShrinkFactor', ['lambda', 'alpha'], ['lambda', 'alpha']],
  ['weight-decay-optimum', 'weightDecayOptimum', ['H', 'wStar', 'alpha'], []],
  ['kl-sparsity-derivative', 'klSparsityDerivative', ['rho', 'rhoHat'], ['rho', 'rhoHat']],
  ['kl-sparsity-weight-gradient', 'klSparsityWeightGradient', ['W', 'b', 'X', 'rho', 'beta'], []],
  ['tied-autoencoder-gradient', 'tiedAutoencoderGradient', ['W', 'b', 'c', 'X'], []],
  ['batchnorm-backward', 'batchnormBackward', ['A', 'gamma', 'dY', 'eps'], []],
  ['batchnorm-bias-gradient', 'batchnormBiasGradient', ['X', 'W', 'b', 'gamma', 'beta', 'dY', 'eps'], []],
  ['softmax-cross-entropy-gradient', 'softmaxCrossEntropyGradient', ['z', 'y'], []],
  ['two-layer-backprop', 'twoLayerBackprop', ['W1', 'W2', 'v', 'x', 'y'], []],
  ['dropout-backward', 'dropoutBackward', ['dY', 'mask', 'keep'], []],
];

const catalog = loadCatalog();

function shapeOf(spec: ResultSpec, dims: Record<string, number>): unknown {
  if (spec.kind === 'scalar') return 'number';
  if (spec.kind === 'record') return Object.fromEntries(Object.entries(spec.fields).map(([k, f]) => [k, shapeOf(f, dims)]));
  return spec.shape.map((d) => (typeof d === 'number' ? d : dims[d]));
}

function shapeOfValue(v: Value): unknown {
  if (typeof v === 'number') return 'number';
  if (Array.isArray(v)) return Array.isArray(v[0]) ? [v.length, (v[0] as number[]).length] : [v.length];
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shapeOfValue(x)]));
}

describe('the catalog', () => {
  it('has one file per exercise of the spec, with the spec’s ids, export names and argument orders', () => {
    const files = readdirSync(defaultCatalogDir()).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(SPEC.map(([id]) => `${id}.json`).sort());
    for (const [id, exportName, args, vars] of SPEC) {
      const ex = catalog.exercises.get(id)!;
      expect(ex, id).toBeDefined();
      expect(ex.spec.export).toBe(exportName);
      expect(ex.spec.args.map((a) => a.name)).toEqual(args);
      expect(ex.spec.exprVars ?? []).toEqual(vars);
      expect(ex.spec.forms.includes('expression')).toBe(vars.length > 0);
      expect(ex.spec.forms).toContain('code');
    }
  });

  it('matches the table of docs/exercises.md: ids, export names, argument orders and expression variables', () => {
    const doc = readFileSync(join(process.cwd(), 'docs/exercises.md'), 'utf8');
    const rows = doc.split('\n').filter((l) => /^\| `[a-z0-9-]+` \|/.test(l));
    const table = rows.map((l) => {
      const [, id, exp, sig, vars] = l.split('|').map((c) => c.trim());
      const args = sig!.slice(sig!.indexOf('(') + 1, sig!.indexOf(')')).split(',').map((a) => a.split(':')[0]!.trim());
      return [id!.replace(/`/g, ''), exp!.replace(/`/g, ''), args, vars ? vars.replace(/`/g, '').split(',').map((v) => v.trim()) : []];
    });
    expect(table).toEqual(SPEC);
  });

  it('gives every exercise a prompt, named tests worth its points, and generic and edge generators', () => {
    for (const ex of catalog.exercises.values()) {
      expect(ex.spec.prompt.length).toBeGreaterThan(50);
      expect(ex.spec.tests.reduce((a, t) => a + t.points, 0)).toBe(ex.spec.points);
      expect(ex.spec.tests.map((t) => t.name)).toEqual(expect.arrayContaining(['generic points', 'edge region']));
      expect(Object.keys(ex.spec.generators)).toEqual(expect.arrayContaining(['generic', 'edge']));
    }
  });

  it('has references that return the declared result shape at generated points', () => {
    for (const ex of catalog.exercises.values()) {
      for (const [name, arb] of ex.arbitraries) {
        for (const args of fc.sample(arb, { seed: 7, numRuns: 15 })) {
          let v: Value;
          try {
            v = ex.reference(args);
          } catch {
            continue; // outside the derivation's domain: skipped by the grader
          }
          expect(shapeOfValue(v), `${ex.spec.id}/${name}`).toEqual(shapeOf(ex.spec.result, dimsOf(ex.spec.args, args)));
        }
      }
    }
  });

  it('draws generator values inside their regions (probabilities within 1e-6 of the edges, logits up to ±1000, shapes as asked)', () => {
    const kl = catalog.exercises.get('kl-sparsity-derivative')!;
    for (const [, rhoHat] of fc.sample(kl.arbitraries.get('edge')!, { seed: 1, numRuns: 50 }) as number[][]) {
      expect(Math.min(rhoHat!, 1 - rhoHat!)).toBeLessThanOrEqual(1e-6 * (1 + 1e-9));
      expect(rhoHat! > 0 && rhoHat! < 1).toBe(true);
    }
    const sm = catalog.exercises.get('softmax-cross-entropy-gradient')!;
    const edge = fc.sample(sm.arbitraries.get('edge')!, { seed: 2, numRuns: 50 }) as number[][][];
    expect(Math.max(...edge.flatMap(([z]) => z!.map(Math.abs)))).toBeGreaterThan(100);
    for (const [, y] of edge) {
      expect(Math.abs(y!.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
      expect(y!.every((p) => p >= 0)).toBe(true);
      expect(y!.every((p) => p <= 1e-6 || p >= 1 - 1e-5)).toBe(true);
    }
    const bn = catalog.exercises.get('batchnorm-backward')!;
    for (const [A] of fc.sample(bn.arbitraries.get('shapes')!, { seed: 3, numRuns: 20 }) as number[][][][]) expect(A!.length).toBe(1);
    const tied = catalog.exercises.get('tied-autoencoder-gradient')!;
    for (const [W] of fc.sample(tied.arbitraries.get('shapes')!, { seed: 4, numRuns: 20 }) as number[][][][]) {
      expect(W!.length).not.toBe(W![0]!.length);
    }
    const opt = catalog.exercises.get('weight-decay-optimum')!;
    for (const [H] of fc.sample(opt.arbitraries.get('edge')!, { seed: 5, numRuns: 20 }) as number[][][][]) {
      const n = H!.length;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(H![i]![j]).toBe(H![j]![i]);
    }
  });
});

describe('every reference against finite differences of its primal (checkGradient)', () => {
  const registered = [...catalog.exercises.values()].filter((e) => e.registered);
  it('covers every registry entry used by the catalog', () => {
    expect(new Set(registered.map((e) => e.spec.reference))).toEqual(new Set(Object.keys(references)));
  });
  for (const ex of registered) {
    it(`${ex.spec.id}: ${ex.registered!.doc}`, () => {
      let checked = 0;
      for (const gen of ['generic', 'edge', 'shapes']) {
        const arb = ex.arbitraries.get(gen);
        if (!arb) continue;
        // A step's gradient is recovered as (w − step)/lr, which cancels for the edge region's lr down to 1e-8:
        // the check would measure that cancellation, not the reference.
        if (ex.spec.id === 'weight-decay-step' && gen === 'edge') continue;
        for (const args of fc.sample(arb, { seed: 11, numRuns: 8 })) {
          const p = ex.registered!.primal(args);
          const r = checkGradient(p.f, p.grad, p.x, { rtol: 1e-6 });
          expect(r.ok, `${ex.spec.id} ${gen} at ${JSON.stringify(args)}: ${p.what}\n${formatResult(r)}`).toBe(true);
          checked++;
        }
      }
      expect(checked).toBeGreaterThanOrEqual(8);
    });
  }
  it('catches a wrong reference (tied weights with the decoder path dropped) with the same check', () => {
    const ex = catalog.exercises.get('tied-autoencoder-gradient')!;
    const args = fc.sample(ex.arbitraries.get('generic')!, { seed: 3, numRuns: 1 })[0]!;
    const p = ex.registered!.primal(args);
    const half = (x: Float64Array): Float64Array => p.grad(x).map((v) => v / 2);
    expect(checkGradient(p.f, half, p.x).ok).toBe(false);
  });

  it('derives the scalar references with math.js and cross-checks them at load', () => {
    for (const id of ['sigmoid-derivative', 'kl-sparsity-derivative']) {
      const ex = catalog.exercises.get(id)!;
      expect(ex.derivative).toBeDefined();
      expect(ex.reference(ex.spec.args.map(() => 0.25))).not.toBeNaN();
    }
    const sig = catalog.exercises.get('sigmoid-derivative')!;
    expect(sig.reference([0])).toBeCloseTo(0.25, 15);
    const kl = catalog.exercises.get('kl-sparsity-derivative')!;
    expect(kl.reference([0.1, 0.3])).toBeCloseTo(-0.1 / 0.3 + 0.9 / 0.7, 14);
  });
});

describe('catalog validation', () => {
  const base = JSON.parse(readFileSync(join(defaultCatalogDir(), 'sigmoid-derivative.json'), 'utf8')) as ExerciseSpec;
  const bad = (patch: (s: ExerciseSpec) => void): (() => unknown) => () => {
    const s = structuredClone(base);
    patch(s);
    return compileExercise(validateSpec(s, 'x.json'));
  };
  it('rejects specs that are wrong, naming the problem', () => {
    expect(bad((s) => (s.points = 5))).toThrow(/sum of the tests/);
    expect(bad((s) => (s.tests[0]!.generator = 'nope'))).toThrow(/unknown generator 'nope'/);
    expect(bad((s) => (s.reference = 'l2PenaltyGradient'))).toThrow(/exactly one of reference/);
    expect(bad((s) => delete (s as Partial<ExerciseSpec>).primal)).toThrow(/exactly one of reference/);
    expect(bad((s) => (s.exprVars = ['a', 'q']))).toThrow(/'q', which is not an argument/);
    expect(bad((s) => (s.generators.generic!.values = { a: { uniform: [1, 0] } }))).toThrow(CatalogError);
    expect(bad((s) => (s.generators.generic!.values = { a: { psd: 'full' } }))).toThrow(/psd needs a square matrix/);
    expect(bad((s) => (s.generators.generic!.values = {}))).toThrow(/does not give 'a'/);
    expect(bad((s) => (s.primal = 'import("fs")'))).toThrow(CatalogError);
    expect(bad((s) => (s.tolerance = { rtol: -1, atol: 0 }))).toThrow(/rtol/);
    expect(bad((s) => (s.forms = ['essay' as 'code']))).toThrow(/forms must list/);
    const two = (patch: (s: ExerciseSpec) => void): (() => unknown) =>
      bad((s) => {
        s.args = [{ name: 'a', kind: 'vector', shape: ['n'] }];
        s.result = { kind: 'scalar' };
        delete (s as Partial<ExerciseSpec>).primal;
        s.reference = 'l2PenaltyGradient';
        s.generators = { generic: { dims: { n: 1 }, constraints: ['n > 1'], values: { a: { uniform: [0, 1] } } }, edge: { dims: { n: [1, 3] }, values: { a: { uniform: [0, 1] } } } };
        patch(s);
      });
    expect(two(() => undefined)).toThrow(/no sizes of the dims satisfy the constraints n > 1/);
    expect(two((s) => (s.generators.generic!.constraints = ['n ~ 2']))).toThrow(/must read/);
    expect(two((s) => (s.generators.generic!.dims = { n: 1, q: 2 }))).toThrow(/dims names 'q'/);
  });

  it('adds a scalar exercise with no code: primal + wrt + domains, reference derived by math.js', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-cat-'));
    mkdirSync(dir, { recursive: true });
    const tanh: ExerciseSpec = {
      ...structuredClone(base),
      id: 'tanh-derivative',
      title: 'Derivative of tanh',
      export: 'tanhDerivative',
      args: [{ name: 't', kind: 'scalar' }],
      primal: 'tanh(t)',
      wrt: 't',
      domains: { t: [-5, 5] },
      exprVars: ['t'],
      generators: { generic: { dims: {}, values: { t: { uniform: [-3, 3] } } }, edge: { dims: {}, values: { t: { uniform: [5, 15] } } } },
    };
    writeFileSync(join(dir, 'tanh-derivative.json'), JSON.stringify(tanh));
    const c = loadCatalog(dir);
    const ex = c.exercises.get('tanh-derivative')!;
    expect(ex.reference([0.5])).toBeCloseTo(1 - Math.tanh(0.5) ** 2, 14);
  });
});
