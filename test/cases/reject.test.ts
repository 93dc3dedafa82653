import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaseError, parseCase, replayCase, replayFile } from '../../src/cases/index.js';

type Doc = any;

const fixture = (name: string): Doc => JSON.parse(readFileSync(resolve(process.cwd(), 'fixtures/cases', `${name}.json`), 'utf8'));

// dense(W1 [4,6], b1) → relu → dropout(keep 0.8, mask1 [8,6]) → dense(W2 [6,2], b2); squared error
const DROPOUT = 'dropout-hidden-keep-80';
// dense(W1 [8,5], b1) → sigmoid → dense(W2 [5,8], b2) → sigmoid; kl-sparsity at 1
const KL = 'kl-sparse-ae';
// dense → relu → dense, softmax cross-entropy (sum)
const SCE = 'mlp-relu-sce-sum-onehot';

function mutated(name: string, f: (d: Doc) => void): Doc {
  const d = fixture(name);
  f(d);
  return d;
}

describe('the unmodified base cases', () => {
  it.each([DROPOUT, KL, SCE])('%s replays ok', (name) => {
    expect(replayCase(fixture(name)).ok).toBe(true);
  });
});

// [what, base, mutation, key path the error must name, words describing the problem]
const bad: [string, string, (d: Doc) => void, string, RegExp][] = [
  ['an unknown op', DROPOUT, (d) => (d.network[1].op = 'swish'), 'network[1].op', /unknown op 'swish'/],
  ['an op that is not a string', DROPOUT, (d) => (d.network[1].op = 3), 'network[1].op', /op name/],
  ['an unknown field on an op', DROPOUT, (d) => (d.network[1] = { op: 'relu', slope: 1 }), 'network[1].slope', /unknown field/],
  ['an op missing a required field', DROPOUT, (d) => delete d.network[0].weight, 'network[0].weight', /missing/],
  ['a dense transpose that is not a boolean', DROPOUT, (d) => (d.network[0].transpose = 'yes'), 'network[0].transpose', /true or false/],
  ['an unknown top-level key', DROPOUT, (d) => (d.comment = 'hi'), 'comment', /unknown field/],
  ['a wrong format string', DROPOUT, (d) => (d.format = 'gradcase/2'), 'format', /gradcase\/1/],
  ['a missing expected', DROPOUT, (d) => delete d.expected, 'expected', /missing/],
  ['a missing network', DROPOUT, (d) => delete d.network, 'network', /missing/],
  ['a tensor whose data length does not match its shape', DROPOUT, (d) => d.params.W1.data.pop(), 'params.W1.data', /needs 24 values, got 23/],
  ['a tensor with an unknown key', DROPOUT, (d) => (d.params.b1.dtype = 'float64'), 'params.b1.dtype', /unknown field/],
  ['a negative dimension in a shape', DROPOUT, (d) => (d.params.b1.shape = [-6]), 'params.b1.shape', /non-negative integers/],
  [
    'a weight whose shape does not fit the activations',
    DROPOUT,
    (d) => {
      d.params.W2 = { shape: [5, 2], data: new Array(10).fill(0.1) };
      d.expected.grads.W2 = new Array(10).fill(0);
    },
    'network[3].weight',
    /6 columns/,
  ],
  [
    'a transposed weight whose shape does not fit',
    DROPOUT,
    (d) => (d.network[3].transpose = true),
    'network[3].weight',
    /used transposed/,
  ],
  [
    'a bias of the wrong length',
    DROPOUT,
    (d) => {
      d.params.b1 = { shape: [5], data: [0, 0, 0, 0, 0] };
      d.expected.grads.b1 = [0, 0, 0, 0, 0];
    },
    'network[0].bias',
    /expected \[6\]/,
  ],
  ['an undefined parameter name', DROPOUT, (d) => (d.network[3].weight = 'W9'), 'network[3].weight', /'W9'.*not in params/],
  ['an undefined bias name', DROPOUT, (d) => (d.network[0].bias = 'c1'), 'network[0].bias', /'c1'.*not in params/],
  ['a dropout mask missing from constants', DROPOUT, (d) => delete d.constants.mask1, 'network[2].mask', /'mask1'.*not in constants/],
  [
    'a dropout mask of the wrong shape',
    DROPOUT,
    (d) => (d.constants.mask1 = { shape: [8, 5], data: new Array(40).fill(1) }),
    'network[2].mask',
    /\[8, 5\].*\[8, 6\]/,
  ],
  ['a dropout mask holding 0.5', DROPOUT, (d) => (d.constants.mask1.data[3] = 0.5), 'constants.mask1.data[3]', /only 0 and 1.*0\.5/],
  ['a dropout keep of 0', DROPOUT, (d) => (d.network[2].keep = 0), 'network[2].keep', /outside \(0, 1\]/],
  ['a loss reduction mean on softmax-cross-entropy', SCE, (d) => (d.loss.reduction = 'mean'), 'loss.reduction', /"mean".*softmax-cross-entropy/],
  ['an unknown loss', SCE, (d) => (d.loss.op = 'hinge'), 'loss.op', /unknown loss/],
  ['an unknown penalty', DROPOUT, (d) => (d.penalties = [{ op: 'l3', alpha: 1, params: ['W1'] }]), 'penalties[0].op', /unknown penalty 'l3'/],
  ['a penalty with an unknown field', KL, (d) => (d.penalties[0].alpha = 1), 'penalties[0].alpha', /unknown field/],
  ['a penalty naming an unknown parameter', DROPOUT, (d) => (d.penalties = [{ op: 'l2', alpha: 1, params: ['W1', 'V'] }]), 'penalties[0].params[1]', /'V'/],
  ['a penalty at past the last op', KL, (d) => (d.penalties[0].at = 4), 'penalties[0].at', /0\.\.3.*4/],
  ['a negative penalty at', KL, (d) => (d.penalties[0].at = -1), 'penalties[0].at', /0\.\.3/],
  ['a fractional penalty at', KL, (d) => (d.penalties[0].at = 1.5), 'penalties[0].at', /0\.\.3/],
  ['a kl-sparsity rho outside (0, 1)', KL, (d) => (d.penalties[0].rho = 1), 'penalties[0].rho', /outside/],
  ['an l1-activity reduction it does not have', KL, (d) => (d.penalties = [{ op: 'l1-activity', alpha: 1, at: 1, reduction: 'mean' }]), 'penalties[0].reduction', /"mean"/],
  ['expected grads missing a parameter', DROPOUT, (d) => delete d.expected.grads.b1, 'expected.grads.b1', /missing/],
  ['expected grads of the wrong length', DROPOUT, (d) => d.expected.grads.b1.pop(), 'expected.grads.b1', /has 5 values/],
  ['expected grads for a parameter that does not exist', DROPOUT, (d) => (d.expected.grads.W3 = [1]), 'expected.grads.W3', /not in params/],
  ['a NaN in tensor data', DROPOUT, (d) => (d.input.data[2] = NaN), 'input.data[2]', /finite number.*NaN/],
  ['an infinity in tensor data', DROPOUT, (d) => (d.params.W2.data[0] = Infinity), 'params.W2.data[0]', /finite number/],
  ['a string in tensor data', DROPOUT, (d) => (d.target.data[0] = '1.5'), 'target.data[0]', /finite number.*string/],
  ['a string in expected grads', DROPOUT, (d) => (d.expected.grads.W2[1] = 'x'), 'expected.grads.W2[1]', /finite number/],
  ['a non-numeric expected loss', DROPOUT, (d) => (d.expected.loss = null), 'expected.loss', /finite number.*null/],
  ['a name that is not kebab-case', DROPOUT, (d) => (d.name = 'Dropout_Hidden'), 'name', /kebab-case/],
  ['a name with a trailing hyphen', DROPOUT, (d) => (d.name = 'dropout-'), 'name', /kebab-case/],
  ['a target with the wrong width', DROPOUT, (d) => (d.target = { shape: [8, 3], data: new Array(24).fill(0) }), 'target.shape', /\[8, 2\]/],
  ['a target with the wrong number of rows', DROPOUT, (d) => (d.target = { shape: [7, 2], data: new Array(14).fill(0) }), 'target.shape', /7 rows/],
  ['an input that is not a matrix', DROPOUT, (d) => (d.input = { shape: [32], data: new Array(32).fill(0) }), 'input.shape', /\[m, n\]/],
  ['binary cross-entropy targets outside [0, 1]', KL, (d) => ((d.loss.op = 'binary-cross-entropy'), (d.target.data[5] = 1.5)), 'target.data[5]', /\[0, 1\]/],
];

describe('a malformed case is rejected with an error naming the offending key', () => {
  it.each(bad)('%s', (_what, base, mutate, key, problem) => {
    const doc = mutated(base, mutate);
    const r = replayCase(doc);
    expect(r.ok).toBe(false);
    expect(Number.isNaN(r.lossError)).toBe(true);
    expect(r.error).toBeDefined();
    // the key path leads the message (top-level keys may carry a '(case).' prefix)
    expect(r.error!.startsWith(`${key}: `) || r.error!.startsWith(`(case).${key}: `), `error was: ${r.error}`).toBe(true);
    expect(r.error).toMatch(problem);
    // parseCase throws a CaseError carrying the same key
    let thrown: unknown;
    try {
      parseCase(doc);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(CaseError);
    expect([key, `(case).${key}`]).toContain((thrown as CaseError).key);
  });

  it('keeps the case name in a failed result when the document has one', () => {
    const r = replayCase(mutated(DROPOUT, (d) => (d.network[1].op = 'swish')));
    expect(r.name).toBe(DROPOUT);
  });

  it('rejects documents that are not objects without throwing', () => {
    for (const doc of [null, [], 'gradcase/1', 42]) {
      const r = replayCase(doc, 'fallback');
      expect(r.ok).toBe(false);
      expect(r.name).toBe('fallback');
      expect(r.error).toMatch(/^\(case\): expected an object/);
    }
  });

  it('fails a case whose kl-sparsity sits on an op with mean activations outside (0, 1), naming ρ̂', () => {
    // at 0 is the dense layer before the sigmoid: make its pre-activations clearly negative
    const doc = mutated(KL, (d) => {
      d.penalties[0].at = 0;
      d.params.b1.data = d.params.b1.data.map(() => -50);
    });
    const r = replayCase(doc);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^replay failed: .*ρ̂/);
  });
});

describe('gradient and loss comparison', () => {
  function largestEntry(d: Doc, param: string): number {
    const g: number[] = d.expected.grads[param];
    let k = 0;
    for (let i = 1; i < g.length; i++) if (Math.abs(g[i]!) > Math.abs(g[k]!)) k = i;
    return k;
  }

  it.each(['W1', 'b1', 'W2', 'b2'])('fails when one expected entry of %s is off by 1e-6 relative, naming that parameter', (param) => {
    const doc = fixture(DROPOUT);
    const k = largestEntry(doc, param);
    doc.expected.grads[param][k] *= 1 + 1e-6;
    const r = replayCase(doc);
    expect(r.ok).toBe(false);
    expect(r.error).toContain(`grad ${param}[${k}]`);
    for (const other of ['W1', 'b1', 'W2', 'b2'].filter((p) => p !== param)) expect(r.error).not.toContain(`grad ${other}[`);
    expect(r.worst).toEqual({ param, index: k });
    expect(r.maxGradError).toBeGreaterThan(1e-7);
  });

  it.each(['W1', 'b1', 'W2', 'b2'])('passes when one expected entry of %s is off by 1e-12 relative', (param) => {
    const doc = fixture(DROPOUT);
    const k = largestEntry(doc, param);
    doc.expected.grads[param][k] *= 1 + 1e-12;
    const r = replayCase(doc);
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
  });

  it('fails when the expected loss is off by 1e-6 relative and passes at 1e-12', () => {
    const off = fixture(KL);
    off.expected.loss *= 1 + 1e-6;
    const r = replayCase(off);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^loss /);
    expect(r.lossError).toBeGreaterThan(1e-6);
    const close = fixture(KL);
    close.expected.loss *= 1 + 1e-12;
    expect(replayCase(close).ok).toBe(true);
  });

  it('fails a case whose network was changed under its expected values', () => {
    const r = replayCase(mutated(DROPOUT, (d) => (d.network[1] = { op: 'tanh' })));
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/loss|grad/);
  });
});

describe('replayFile on broken files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradproof-reject-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails a file that is not JSON, with the file name as the case name', () => {
    const file = join(dir, 'not-json.json');
    writeFileSync(file, '{"format": "gradcase/1", oops');
    const r = replayFile(file);
    expect(r.ok).toBe(false);
    expect(r.name).toBe('not-json');
    expect(r.file).toBe(file);
    expect(r.error).toMatch(/^not valid JSON/);
  });

  it('fails a file that cannot be read', () => {
    const r = replayFile(join(dir, 'absent.json'));
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^cannot read file/);
  });

  it('fails a well-formed JSON file holding a bad case, naming the key', () => {
    const file = join(dir, 'bad-op.json');
    writeFileSync(file, JSON.stringify(mutated(DROPOUT, (d) => (d.network[1].op = 'swish'))));
    const r = replayFile(file);
    expect(r.ok).toBe(false);
    expect(r.file).toBe(file);
    expect(r.error).toMatch(/^network\[1\]\.op: unknown op 'swish'/);
  });
});
