/**
 * The inventory behind the gradient-coverage page: every differentiable op,
 * loss, penalty, model and derivation of the project, from the core's
 * registries (ops, losses, penalties), the check targets of `coreTargets()`
 * and the derivation topics, and what exercises each item: the checks of a
 * gradcheck.json and the property files' test titles.
 *
 * Pure: the caller passes the registries and the property files' text.
 */
import type { Words } from '../core/spec.js';
import { opEntries } from '../core/ops/registry.js';
import { LOSSES } from '../core/losses.js';
import { penaltyEntries } from '../core/penalties.js';

export interface SourceFile {
  /** Path relative to the project root, e.g. 'src/core/ops/dense.ts'. */
  path: string;
  text: string;
}

/** An op or penalty of a registry, as the inventory needs it. */
export interface RegistryItem {
  name: string;
  /** Where a user finds it, e.g. 'gradproof/core leakyRelu()'. */
  definedIn: string;
  /** How property titles name it (default: its name). */
  words?: Words;
  /** A constructor whose call in property code counts as using it. */
  constructorName?: string;
}

/** The ops, losses and penalties of the core, from its registries. */
export function coreRegistries(): Pick<InventoryInput, 'ops' | 'losses' | 'penalties'> {
  return {
    ops: opEntries().map((e) => ({ name: e.kind, definedIn: `gradproof/core OPS['${e.kind}']`, ...(e.words ? { words: e.words } : {}), ...(e.constructorName ? { constructorName: e.constructorName } : {}) })),
    losses: Object.values(LOSSES).map((e) => ({ name: e.kind, reductions: e.reductions, words: e.words })),
    penalties: penaltyEntries().map((e) => ({ name: e.kind, definedIn: `gradproof/core PENALTIES['${e.kind}']`, words: e.words })),
  };
}

export interface InventoryInput {
  /** Every check target: name, kind and description (coreTargets()). */
  targets: readonly { name: string; kind: string; description: string }[];
  /** The op registry. */
  ops: readonly RegistryItem[];
  /** The loss registry: each loss, its reductions and its words. */
  losses: readonly { name: string; reductions: readonly string[]; words?: Words }[];
  /** The penalty registry. */
  penalties: readonly RegistryItem[];
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

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A case-insensitive regex matching a term as a whole word, '-' and ' ' interchangeable. */
export function termRegex(term: string): RegExp {
  const body = escapeRe(term).replace(/[- ]/g, '[\\s-]');
  return new RegExp(`(?<![\\w-])${body}(?![\\w])`, 'i');
}

function titleMatchers(name: string, words: Words | undefined): RegExp[] {
  return (words ?? [name]).map((t) => (typeof t === 'string' ? termRegex(t) : t));
}

function codeMatchers(name: string, constructorName: string | undefined): RegExp[] {
  const lit = new RegExp(`['"\`]${escapeRe(name)}['"\`]`);
  return constructorName ? [lit, new RegExp(`\\b${escapeRe(constructorName)}\\(`)] : [lit];
}

function evidence(properties: readonly { file: string; titles: string[]; text: string }[], name: string, words: Words | undefined, code: RegExp[]): { named: PropertyEvidence[]; used: string[] } {
  const tm = titleMatchers(name, words);
  const cm = code;
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

  for (const op of input.ops) {
    const ts = targetNames((n) => n === `op/${op.name}` || n.startsWith(`op/${op.name}-`) || n.startsWith(`op/${op.name}/`));
    items.push({ kind: 'op', name: op.name, definedIn: op.definedIn, description: ts.length ? describe(ts) : 'an op of the core', targets: ts, ...evidence(props, op.name, op.words, codeMatchers(op.name, op.constructorName)) });
  }
  for (const loss of input.losses) {
    const ev = evidence(props, loss.name, loss.words, codeMatchers(loss.name, undefined));
    for (const r of loss.reductions) {
      const ts = targetNames((n) => n === `loss/${loss.name}/${r}`);
      items.push({ kind: 'loss', name: `${loss.name}/${r}`, definedIn: 'gradproof/core lossForward()', description: `${loss.name}, reduction ${r}`, targets: ts, ...ev });
    }
  }
  for (const p of input.penalties) {
    const ts = targetNames((n) => n === `penalty/${p.name}` || n.startsWith(`penalty/${p.name}/`));
    items.push({ kind: 'penalty', name: p.name, definedIn: p.definedIn, description: ts.length ? describe(ts) : 'a penalty of the core', targets: ts, ...evidence(props, p.name, p.words, codeMatchers(p.name, p.constructorName)) });
  }
  for (const t of targets.filter((q) => q.kind === 'model')) {
    const short = t.name.replace(/^model\//, '');
    const term = short.startsWith('autoencoder/') ? `${short.slice('autoencoder/'.length)} autoencoder` : short;
    items.push({ kind: 'model', name: short, definedIn: 'src/core/builders.ts', description: t.description, targets: [t.name], ...evidence(props, term, undefined, []) });
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
