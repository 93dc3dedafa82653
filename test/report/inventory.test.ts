import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildInventory, coreRegistries, coverageStatus, kebab, propertyTitles, termRegex, type InventoryInput } from '../../src/report/inventory.js';
import { buildCoveragePage } from '../../src/report/coverage-page.js';
import { coreTargets } from '../../src/check/targets.js';
import { LOSS_REDUCTIONS } from '../../src/core/losses.js';
import { OPS } from '../../src/core/ops/registry.js';
import { derivationTopics } from '../../src/report/site.js';
import { all } from './helpers.js';

describe('scanning the project', () => {
  it('reads it(), test() and it.each()() titles, templates included', () => {
    const text = [
      "it('plain title', () => {});",
      'it("double \\"quoted\\"", () => {});',
      'test(`holds ${form.name}: ok`, () => {});',
      "it.each(forms.map((f) => [f.name, f] as const))('%s: math.js agrees', (_n, form) => {});",
      "describe('not a test', () => {}); split('x'); fit('x');",
    ].join('\n');
    expect(propertyTitles(text)).toEqual(['plain title', 'double "quoted"', 'holds ${form.name}: ok', '%s: math.js agrees']);
  });

  it('takes ops, losses and penalties from the core registries, in their order', () => {
    const r = coreRegistries();
    expect(r.ops.map((o) => o.name)).toEqual(Object.keys(OPS));
    expect(r.ops.find((o) => o.name === 'leaky-relu')).toMatchObject({ definedIn: "gradproof/core OPS['leaky-relu']", constructorName: 'leakyRelu' });
    expect(r.losses.map((l) => [l.name, l.reductions])).toEqual(Object.entries(LOSS_REDUCTIONS));
    expect(r.penalties.map((p) => p.name)).toEqual(['l2', 'l2-lambda', 'l1', 'kl-sparsity', 'l1-activity']);
    expect(kebab('weightDecay')).toBe('weight-decay');
    expect(kebab('vaeGan')).toBe('vae-gan');
  });

  it('matches terms as whole words, hyphen and space alike', () => {
    expect(termRegex('kl-sparsity').test('the KL sparsity penalty')).toBe(true);
    expect(termRegex('dense').test('condensed')).toBe(false);
    expect(termRegex('dense').test('dense(W)')).toBe(true);
  });
});

const input = (over: Partial<InventoryInput> = {}): InventoryInput => ({
  targets: [
    { name: 'op/dense', kind: 'op', description: 'Y = XW' },
    { name: 'op/dense-no-bias', kind: 'op', description: 'Y = XW, no bias' },
    { name: 'loss/squared-error/sum', kind: 'loss', description: 'se' },
    { name: 'penalty/l1-activity/sum', kind: 'penalty', description: 'α·Σ|h|' },
    { name: 'model/autoencoder/tied', kind: 'model', description: 'tied' },
    { name: 'derivation/topic-a/closed', kind: 'derivation', description: 'closed form' },
    { name: 'symbolic/topic-a/form-1', kind: 'symbolic', description: 'form' },
  ],
  ops: [
    { name: 'relu', definedIn: 'core relu' },
    { name: 'dense', definedIn: 'core dense', constructorName: 'dense' },
    { name: 'orphan', definedIn: 'core orphan' },
  ],
  losses: [{ name: 'squared-error', reductions: ['sum', 'mean'] }],
  penalties: [{ name: 'l1-activity', definedIn: 'core l1-activity' }],
  topics: [{ name: 'topic-a', file: 'src/derivations/topic-a.ts', targets: ['derivation/topic-a/closed'], symbolic: ['topic-a/form-1'] }],
  properties: [
    {
      path: 'properties/topic-a.property.test.ts',
      text: "import { symbolicForms } from 'x';\nit('every derivation target passes', () => {});\nit(`holds ${form.name}`, () => {});\nit('the closed form equals the core’s dense(W) backward and the tied autoencoder', () => {});\nconst y = activation('relu');",
    },
  ],
  ...over,
});

describe('the inventory', () => {
  const items = buildInventory(input());
  const byName = (n: string) => items.find((i) => i.name === n)!;

  it('lists ops, losses × reductions, penalties, models, topics, derivations and symbolic forms', () => {
    expect(items.map((i) => `${i.kind}:${i.name}`)).toEqual([
      'op:relu',
      'op:dense',
      'op:orphan',
      'loss:squared-error/sum',
      'loss:squared-error/mean',
      'penalty:l1-activity',
      'model:autoencoder/tied',
      'derivation topic:topic-a',
      'derivation:derivation/topic-a/closed',
      'symbolic form:symbolic/topic-a/form-1',
    ]);
  });

  it('ties items to their checks by name and prefix', () => {
    expect(byName('dense').targets).toEqual(['op/dense', 'op/dense-no-bias']);
    expect(byName('relu').targets).toEqual([]);
    expect(byName('squared-error/mean').targets).toEqual([]);
    expect(byName('l1-activity').targets).toEqual(['penalty/l1-activity/sum']);
    expect(byName('topic-a').targets).toEqual(['derivation/topic-a/closed', 'symbolic/topic-a/form-1']);
  });

  it('finds property evidence in titles, or in code only', () => {
    expect(byName('dense').named).toEqual([{ file: 'properties/topic-a.property.test.ts', titles: ['the closed form equals the core’s dense(W) backward and the tied autoencoder'] }]);
    expect(byName('relu').named).toEqual([]);
    expect(byName('relu').used).toEqual(['properties/topic-a.property.test.ts']);
    expect(byName('orphan').named).toEqual([]);
    expect(byName('orphan').used).toEqual([]);
    expect(byName('autoencoder/tied').named.length).toBe(1);
    expect(byName('topic-a').named[0]!.titles.length).toBe(3);
    expect(byName('derivation/topic-a/closed').named[0]!.titles).toEqual(['every derivation target passes']);
    expect(byName('symbolic/topic-a/form-1').named[0]!.titles).toEqual(['holds ${form.name}']);
  });

  it('marks what neither a check nor a property exercises, and failing and missing checks', () => {
    const st = coverageStatus(items, [
      { name: 'op/dense', ok: true },
      { name: 'op/dense-no-bias', ok: false },
      { name: 'loss/squared-error/sum', ok: true },
    ]);
    const s = (n: string) => st.find((x) => x.item.name === n)!;
    expect(s('dense').check).toBe('failed');
    expect(s('squared-error/sum').check).toBe('passed');
    expect(s('l1-activity').check).toBe('not run');
    expect(s('l1-activity').notRun).toEqual(['penalty/l1-activity/sum']);
    expect(s('relu').check).toBe('no check');
    expect(s('relu').property).toBe('used');
    expect(st.filter((x) => x.neither).map((x) => x.item.name)).toEqual(['orphan', 'squared-error/mean', 'l1-activity']);

    const html = buildCoveragePage(st, { gradientsHref: 'gradients.html' });
    expect(html).toContain('⚠ 3 items are exercised by neither a check nor a property');
    const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)![1]!;
    const rows = body.split('\n').filter((r) => r.startsWith('<tr'));
    expect(rows.length).toBe(items.length);
    // the three come first, highlighted, with a word and a symbol
    expect(rows.slice(0, 3).every((r) => r.includes('class="row-neither"') && r.includes('⚠ NEITHER'))).toBe(true);
    expect(rows.slice(3).some((r) => r.includes('row-neither'))).toBe(false);
    expect(html).toContain('href="gradients.html#row-c-op-dense-no-bias"');
    expect(all(html, /<th [^>]*><button type="button">([^<]*)</)).toEqual(['item', 'kind', 'defined in', 'checked by gradproof check', 'property suite', 'status']);
  });
});

describe("the project's own inventory", () => {
  const read = (dir: string, suffix: string) =>
    readdirSync(dir)
      .filter((n) => n.endsWith(suffix))
      .map((n) => ({ path: `${dir}/${n}`, text: readFileSync(`${dir}/${n}`, 'utf8') }));
  const targets = coreTargets();
  const items = buildInventory({
    targets,
    ...coreRegistries(),
    topics: derivationTopics(),
    properties: read('properties', '.property.test.ts'),
  });

  it('finds every op, loss, penalty and topic of the core, each with a check', () => {
    const names = (k: string) => items.filter((i) => i.kind === k).map((i) => i.name).sort();
    expect(names('op')).toEqual(['batchnorm', 'dense', 'dropout', 'gelu', 'identity', 'layernorm', 'leaky-relu', 'relu', 'sigmoid', 'softmax', 'softplus', 'tanh']);
    expect(names('loss').length).toBe(Object.values(LOSS_REDUCTIONS).reduce((a, r) => a + r.length, 0));
    expect(names('penalty')).toEqual(['kl-sparsity', 'l1', 'l1-activity', 'l2', 'l2-lambda']);
    expect(names('derivation topic').length).toBe(10);
    for (const i of items) expect(i.targets.length, `${i.kind} ${i.name} has a check target`).toBeGreaterThan(0);
    // every check target is somewhere in the inventory
    const covered = new Set(items.flatMap((i) => i.targets));
    expect(targets.filter((t) => !covered.has(t.name)).map((t) => t.name)).toEqual([]);
    // every topic has its property file
    for (const i of items.filter((x) => x.kind === 'derivation topic')) expect(i.named.length, i.name).toBe(1);
  });
});
