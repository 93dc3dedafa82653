/**
 * The inventory behind the gradient-coverage page: every differentiable op,
 * loss, penalty, model and derivation of the project, built from the project
 * itself (the check targets of `coreTargets()`, the op kinds and penalty ops
 * written in src/core, LOSS_REDUCTIONS, the derivation topics, and the
 * property files with their test titles), and what exercises each item.
 *
 * Pure: the caller (src/cli/report.ts) reads the files and passes their text.
 */

export interface SourceFile {
  /** Path relative to the project root, e.g. 'src/core/ops/dense.ts'. */
  path: string;
  text: string;
}

export interface InventoryInput {
  /** Every check target: name, kind and description (coreTargets()). */
  targets: readonly { name: string; kind: string; description: string }[];
  /** Names of the elementwise activations (keys of activationRules). */
  activations: readonly string[];
  /** The op modules, src/core/ops/*.ts. */
  opSources: readonly SourceFile[];
  /** LOSS_REDUCTIONS: each loss and its reductions. */
  losses: Readonly<Record<string, readonly string[]>>;
  /** src/core/penalties.ts. */
  penaltySource: SourceFile;
  /** The derivation topics (kebab-case) with their closed-form targets and symbolic forms. */
  topics: readonly { name: string; file: string; targets: readonly string[]; symbolic: readonly string[] }[];
  /** properties/*.property.test.ts. */
  properties: readonly SourceFile[];
}

export type ItemKind = 'op' | 'loss' | 'penalty' | 'model' | 'derivation topic' | 'derivation' | 'symbolic form';

export interface PropertyEvidence {
  file: string;
  /** Test titles that name the item (empty when only the code uses it). */
  titles: string[];
}

export interface InventoryItem {
  kind: ItemKind;
  name: string;
  definedIn: string;
  description: string;
  /** Check targets of `gradproof check` that exercise the item. */
  targets: string[];
  /** Property files whose test titles name the item. */
  named: PropertyEvidence[];
  /** Property files whose code uses the item though no title names it. */
  used: string[];
}

/**
 * The titles of `it(…)`, `test(…)` and `it.each(…)(…)` calls in a test file,
 * as written (template placeholders such as `${form.name}` kept).
 */
export function propertyTitles(text: string): string[] {
  const titles: string[] = [];
  const re = /\b(?:it|test)(\.each)?\s*\(/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    let i = m.index + m[0].length;
    if (m[1]) {
      // skip the .each(...) arguments, then expect the title call's '('
      let depth = 1;
      while (i < text.length && depth > 0) {
        const ch = text[i]!;
        if (ch === '(') depth++;
        else if (ch === ')') depth--;
        i++;
      }
      while (/\s/.test(text[i] ?? '')) i++;
      if (text[i] !== '(') continue;
      i++;
    }
    while (/\s/.test(text[i] ?? '')) i++;
    const q = text[i];
    if (q !== "'" && q !== '"' && q !== '`') continue;
    let s = '';
    i++;
    while (i < text.length && text[i] !== q) {
      if (text[i] === '\\' && i + 1 < text.length) {
        s += text[i + 1];
        i += 2;
      } else s += text[i++];
    }
    titles.push(s);
    re.lastIndex = i;
  }
  return titles;
}

/** Op kinds written in the op modules (`kind: '…'`, `elementwise('…'`), plus the named activations, each with its file. */
export function opKinds(sources: readonly SourceFile[], activations: readonly string[]): { name: string; file: string }[] {
  const out = new Map<string, string>();
  const actFile = sources.find((s) => /\bactivationRules\b/.test(s.text))?.path;
  for (const s of sources) {
    // the named activations where they are defined, in their table's order
    if (s.path === actFile) for (const a of activations) if (!out.has(a)) out.set(a, s.path);
    for (const m of s.text.matchAll(/\bkind:\s*'([a-z][\w-]*)'/g)) if (!out.has(m[1]!)) out.set(m[1]!, s.path);
    for (const m of s.text.matchAll(/\belementwise\(\s*'([a-z][\w-]*)'/g)) if (!out.has(m[1]!)) out.set(m[1]!, s.path);
  }
  for (const a of activations) if (!out.has(a)) out.set(a, 'src/core/ops/activations.ts');
  return [...out].map(([name, file]) => ({ name, file }));
}

/** The ops of the Penalty union (`| { op: '…'; …}`). */
export function penaltyOps(source: SourceFile): string[] {
  return [...new Set([...source.text.matchAll(/\|\s*\{\s*op:\s*'([a-z][\w-]*)'/g)].map((m) => m[1]!))];
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A case-insensitive regex matching a term as a whole word, '-' and ' ' interchangeable. */
export function termRegex(term: string): RegExp {
  const body = escapeRe(term).replace(/[- ]/g, '[\\s-]');
  return new RegExp(`(?<![\\w-])${body}(?![\\w])`, 'i');
}

/**
 * The words property titles use for an item. Items missing here are matched
 * by their name alone. Negative patterns keep `relu` from matching `leaky
 * relu`, `softmax` from matching the softmax loss and `l2` from `l2-lambda`.
 */
const TITLE_TERMS: Record<string, (string | RegExp)[]> = {
  'op:dense': ['dense'],
  'op:tanh': ['tanh'],
  'op:softplus': ['softplus'],
  'op:dropout': ['dropout'],
  'op:batchnorm': ['batchnorm', 'batch norm', /\bBN\b/],
  'op:relu': [/(?<![\w-]|leaky[\s-])relu\b/i],
  'op:leaky-relu': ['leaky relu', 'leakyRelu'],
  'op:identity': ['identity activation', 'identity activations'],
  'op:sigmoid': ['sigmoid', 'σ′'],
  'op:softmax': [/(?<![\w-])softmax(?![\w-]|\s+cross)/i],
  'loss:squared-error': ['squared error'],
  'loss:binary-cross-entropy': ['binary cross-entropy', /\bBCE\b/],
  'loss:softmax-cross-entropy': ['softmax cross-entropy', /(?<!binary[\s-])\bcross-entropy\b/i],
  'penalty:l2': ['weight decay', /\bL2\b(?![\s-]lambda)/i],
  'penalty:l2-lambda': ['l2-lambda', 'λ form'],
  'penalty:l1': [/\bL1\b(?![\s-]activity)/i],
  'penalty:kl-sparsity': ['kl-sparsity', 'sparsity penalty'],
  'penalty:l1-activity': ['l1-activity', 'activity penalty'],
};

/** How property code calls an op, when not by its kind string. */
const CONSTRUCTORS: Record<string, string> = { dense: 'dense', batchnorm: 'batchNorm', dropout: 'dropout', softmax: 'softmax', 'leaky-relu': 'leakyRelu' };

function titleMatchers(kind: string, name: string): RegExp[] {
  const terms = TITLE_TERMS[`${kind}:${name}`] ?? [name];
  return terms.map((t) => (typeof t === 'string' ? termRegex(t) : t));
}

function codeMatchers(kind: string, name: string): RegExp[] {
  const lit = new RegExp(`['"\`]${escapeRe(name)}['"\`]`);
  if (kind === 'op') {
    const ctor = CONSTRUCTORS[name];
    return ctor ? [lit, new RegExp(`\\b${ctor}\\(`)] : [lit];
  }
  return [lit];
}

function evidence(properties: readonly { file: string; titles: string[]; text: string }[], kind: string, name: string, withCode: boolean): { named: PropertyEvidence[]; used: string[] } {
  const tm = titleMatchers(kind, name);
  const cm = withCode ? codeMatchers(kind, name) : [];
  const named: PropertyEvidence[] = [];
  const used: string[] = [];
  for (const p of properties) {
    const titles = p.titles.filter((t) => tm.some((r) => r.test(t)));
    if (titles.length) named.push({ file: p.file, titles });
    else if (cm.some((r) => r.test(p.text))) used.push(p.file);
  }
  return { named, used };
}

/** kebab-case of a camelCase module name: weightDecay → weight-decay. */
export function kebab(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** Every item of the inventory, with the checks and properties that exercise it. */
export function buildInventory(input: InventoryInput): InventoryItem[] {
  const props = input.properties.map((p) => ({ file: p.path, titles: propertyTitles(p.text), text: p.text }));
  const targets = input.targets;
  const items: InventoryItem[] = [];
  const targetNames = (pred: (name: string) => boolean): string[] => targets.filter((t) => pred(t.name)).map((t) => t.name);
  const describe = (names: string[]): string => targets.find((t) => t.name === names[0])?.description ?? '';

  for (const op of opKinds(input.opSources, input.activations)) {
    const ts = targetNames((n) => n === `op/${op.name}` || n.startsWith(`op/${op.name}-`) || n.startsWith(`op/${op.name}/`));
    items.push({ kind: 'op', name: op.name, definedIn: op.file, description: ts.length ? describe(ts) : 'an op of the core', targets: ts, ...evidence(props, 'op', op.name, true) });
  }
  for (const [loss, reductions] of Object.entries(input.losses)) {
    const ev = evidence(props, 'loss', loss, true);
    for (const r of reductions) {
      const ts = targetNames((n) => n === `loss/${loss}/${r}`);
      items.push({ kind: 'loss', name: `${loss}/${r}`, definedIn: 'src/core/losses.ts', description: `${loss}, reduction ${r}`, targets: ts, ...ev });
    }
  }
  for (const p of penaltyOps(input.penaltySource)) {
    const ts = targetNames((n) => n === `penalty/${p}` || n.startsWith(`penalty/${p}/`));
    items.push({ kind: 'penalty', name: p, definedIn: input.penaltySource.path, description: ts.length ? describe(ts) : 'a penalty of the core', targets: ts, ...evidence(props, 'penalty', p, true) });
  }
  for (const t of targets.filter((q) => q.kind === 'model')) {
    const short = t.name.replace(/^model\//, '');
    const term = short.startsWith('autoencoder/') ? `${short.slice('autoencoder/'.length)} autoencoder` : short;
    items.push({ kind: 'model', name: short, definedIn: 'src/core/builders.ts', description: t.description, targets: [t.name], ...evidence(props, 'model', term, false) });
  }
  for (const topic of input.topics) {
    const file = props.find((p) => p.file.endsWith(`/${topic.name}.property.test.ts`) || p.file === `${topic.name}.property.test.ts`);
    const ts = targetNames((n) => n.startsWith(`derivation/${topic.name}/`) || n.startsWith(`symbolic/${topic.name}/`));
    items.push({
      kind: 'derivation topic',
      name: topic.name,
      definedIn: topic.file,
      description: `${topic.targets.length} closed-form targets, ${topic.symbolic.length} symbolic forms`,
      targets: ts,
      named: file ? [{ file: file.file, titles: file.titles }] : [],
      used: [],
    });
    const targetTitles = file ? file.titles.filter((t) => /\btargets?\b/i.test(t)) : [];
    for (const d of topic.targets) {
      const own = file ? file.titles.filter((t) => t.includes(d.replace(/^derivation\//, ''))) : [];
      const titles = [...new Set([...own, ...targetTitles])];
      items.push({
        kind: 'derivation',
        name: d,
        definedIn: topic.file,
        description: targets.find((t) => t.name === d)?.description ?? '',
        targets: targetNames((n) => n === d),
        named: file && titles.length ? [{ file: file.file, titles }] : [],
        used: [],
      });
    }
    // Symbolic forms are tested by titles parameterised over every form of the topic.
    const formTitles = file && /\bsymbolicForms\b/.test(file.text) ? file.titles.filter((t) => t.includes('${') || t.includes('%s')) : [];
    for (const s of topic.symbolic) {
      const own = file ? file.titles.filter((t) => t.includes(s)) : [];
      const titles = [...new Set([...own, ...formTitles])];
      const name = `symbolic/${s}`;
      items.push({
        kind: 'symbolic form',
        name,
        definedIn: topic.file,
        description: targets.find((t) => t.name === name)?.description ?? '',
        targets: targetNames((n) => n === name),
        named: file && titles.length ? [{ file: file.file, titles }] : [],
        used: [],
      });
    }
  }
  return items;
}

export type CheckState = 'passed' | 'failed' | 'not run' | 'no check';
export type PropertyState = 'named' | 'used' | 'no';

export interface ItemStatus {
  item: InventoryItem;
  /** The item's checks found in gradcheck.json. */
  checks: { name: string; ok: boolean }[];
  /** Targets that exist but are missing from gradcheck.json (a filtered run). */
  notRun: string[];
  check: CheckState;
  property: PropertyState;
  /** Neither a check in gradcheck.json nor a property suite exercises it. */
  neither: boolean;
}

/** The status of every item against the checks of a gradcheck.json. */
export function coverageStatus(items: readonly InventoryItem[], checks: readonly { name: string; ok: boolean }[]): ItemStatus[] {
  const byName = new Map(checks.map((c) => [c.name, c]));
  return items.map((item) => {
    const found = item.targets.filter((t) => byName.has(t)).map((t) => ({ name: t, ok: byName.get(t)!.ok }));
    const notRun = item.targets.filter((t) => !byName.has(t));
    const check: CheckState = found.length ? (found.every((c) => c.ok) ? 'passed' : 'failed') : item.targets.length ? 'not run' : 'no check';
    const property: PropertyState = item.named.length ? 'named' : item.used.length ? 'used' : 'no';
    return { item, checks: found, notRun, check, property, neither: found.length === 0 && property === 'no' };
  });
}
