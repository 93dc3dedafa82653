/**
 * Expression answers: math.js `parse`, then an allowlist walk of the tree,
 * then `compile` of the validated tree, evaluated with a scope holding only
 * the exercise's variables.
 *
 * Allowed: the declared variables, the constants `pi` and `e`, finite
 * numbers, `+ - * / ^`, unary minus and plus, implicit multiplication,
 * parentheses, and calls of the named elementary functions below with their
 * arity. Everything else (assignments, function definitions, property access
 * and indexing, strings, matrices, objects, ranges, conditionals,
 * comparisons, several statements, unknown symbols or functions such as
 * `import` and `evaluate`) is rejected with a message that says what is not
 * allowed.
 */
import type { MathNode } from 'mathjs';
import { math } from './mathjs.js';
import type { ExerciseSpec, Value } from './types.js';

/** The elementary functions an answer may call, with their number of arguments. */
export const ALLOWED_FUNCTIONS: Readonly<Record<string, number>> = {
  exp: 1,
  expm1: 1,
  log: 1,
  log1p: 1,
  log2: 1,
  log10: 1,
  sqrt: 1,
  cbrt: 1,
  abs: 1,
  sign: 1,
  sin: 1,
  cos: 1,
  tan: 1,
  sinh: 1,
  cosh: 1,
  tanh: 1,
  asin: 1,
  acos: 1,
  atan: 1,
};

const ALLOWED_OPERATORS: Readonly<Record<string, string>> = {
  add: '+',
  subtract: '-',
  multiply: '*',
  divide: '/',
  pow: '^',
  unaryMinus: 'unary -',
  unaryPlus: 'unary +',
};

const CONSTANTS: Readonly<Record<string, number>> = { pi: Math.PI, e: Math.E };

/** Longest expression accepted, in characters, and largest tree. */
export const MAX_EXPRESSION_LENGTH = 2000;
export const MAX_EXPRESSION_NODES = 400;

const NODE_WORDS: Readonly<Record<string, string>> = {
  AssignmentNode: 'assignments',
  FunctionAssignmentNode: 'function definitions',
  AccessorNode: 'property access and indexing',
  IndexNode: 'property access and indexing',
  ArrayNode: 'matrices and arrays',
  ObjectNode: 'objects',
  RangeNode: 'ranges',
  ConditionalNode: 'conditionals (a ? b : c)',
  BlockNode: 'several statements',
  RelationalNode: 'comparisons',
};

interface OpNode {
  type: 'OperatorNode';
  fn: string;
  op: string;
  args: MathNode[];
}

/**
 * Why the tree is not allowed, or undefined when every node is on the
 * allowlist. `vars` are the declared variables.
 */
export function disallowed(node: MathNode, vars: readonly string[]): string | undefined {
  let count = 0;
  const walk = (n: MathNode): string | undefined => {
    if (++count > MAX_EXPRESSION_NODES) return `expressions of more than ${MAX_EXPRESSION_NODES} nodes are not allowed`;
    switch (n.type) {
      case 'ConstantNode': {
        const v = (n as unknown as { value: unknown }).value;
        if (typeof v === 'number' && Number.isFinite(v)) return undefined;
        if (typeof v === 'string') return `strings are not allowed ("${v.slice(0, 20)}")`;
        return `the constant ${String(v)} is not allowed (only finite numbers)`;
      }
      case 'SymbolNode': {
        const name = (n as unknown as { name: string }).name;
        if (vars.includes(name) || Object.hasOwn(CONSTANTS, name)) return undefined;
        if (Object.hasOwn(ALLOWED_FUNCTIONS, name)) return `'${name}' is a function: call it, as ${name}(…)`;
        return `unknown symbol '${name}' is not allowed (the variables are ${vars.join(', ') || 'none'})`;
      }
      case 'ParenthesisNode':
        return walk((n as unknown as { content: MathNode }).content);
      case 'OperatorNode': {
        const o = n as unknown as OpNode;
        if (!Object.hasOwn(ALLOWED_OPERATORS, o.fn)) return `the operator '${o.op}' is not allowed (only + - * / ^)`;
        for (const a of o.args) {
          const e = walk(a);
          if (e) return e;
        }
        return undefined;
      }
      case 'FunctionNode': {
        const f = n as unknown as { fn: MathNode & { name?: string }; args: MathNode[] };
        if (f.fn.type !== 'SymbolNode') return 'calling anything but a named function is not allowed';
        const name = f.fn.name!;
        if (!Object.hasOwn(ALLOWED_FUNCTIONS, name)) {
          return `the function '${name}' is not allowed (allowed: ${Object.keys(ALLOWED_FUNCTIONS).join(', ')})`;
        }
        if (f.args.length !== ALLOWED_FUNCTIONS[name]) {
          return `${name} takes ${ALLOWED_FUNCTIONS[name]} argument${ALLOWED_FUNCTIONS[name] === 1 ? '' : 's'}, got ${f.args.length}`;
        }
        for (const a of f.args) {
          const e = walk(a);
          if (e) return e;
        }
        return undefined;
      }
      default: {
        const what = NODE_WORDS[n.type];
        return what ? `${what} are not allowed` : `${n.type} is not allowed`;
      }
    }
  };
  return walk(node);
}

/** An answer that passed the allowlist, compiled. */
export interface CompiledExpression {
  text: string;
  node: MathNode;
  vars: readonly string[];
  /** The value at one point of the variables (NaN for a non-number result). */
  at(scope: Readonly<Record<string, number>>): number;
}

export type ParsedAnswer = { ok: true; expr: CompiledExpression } | { ok: false; error: string };

/** Parses, validates and compiles an expression answer over the variables `vars`. */
export function parseAnswer(text: unknown, vars: readonly string[]): ParsedAnswer {
  if (typeof text !== 'string') return { ok: false, error: `the answer must be a string, got ${text === null ? 'null' : typeof text}` };
  if (text.trim() === '') return { ok: false, error: 'the answer is empty' };
  if (text.length > MAX_EXPRESSION_LENGTH) return { ok: false, error: `expressions longer than ${MAX_EXPRESSION_LENGTH} characters are not allowed` };
  let node: MathNode;
  try {
    // Python's power operator, as Python students write it (1 - tanh(a)**2), is math.js's ^
    node = math.parse(text.replace(/\*\*/g, '^'));
  } catch (e) {
    return { ok: false, error: `syntax error: ${(e as Error).message}` };
  }
  const why = disallowed(node, vars);
  if (why) return { ok: false, error: `not allowed: ${why}` };
  let code: { evaluate(scope?: unknown): unknown };
  try {
    code = node.compile();
  } catch (e) {
    return { ok: false, error: `cannot compile: ${(e as Error).message}` };
  }
  const constants = Object.entries(CONSTANTS).filter(([k]) => !vars.includes(k));
  return {
    ok: true,
    expr: {
      text,
      node,
      vars,
      at(scope) {
        const s: Record<string, number> = {};
        for (const [k, v] of constants) s[k] = v;
        for (const v of vars) s[v] = scope[v]!;
        try {
          const r = code.evaluate(s);
          return typeof r === 'number' ? r : NaN;
        } catch {
          return NaN;
        }
      },
    },
  };
}

/** The expression in math.js's canonical spelling (for grouping equal answers). */
export function normalizeExpression(text: string): string {
  try {
    return math.parse(text).toString({ parenthesis: 'auto', implicit: 'show' });
  } catch {
    return text.trim();
  }
}

/**
 * Evaluates an expression answer on an exercise's arguments: once for a
 * scalar exercise, entry by entry for a vector one (vector arguments of equal
 * length zipped, scalars broadcast). Returns a number or a vector.
 */
export function evaluateExpression(expr: CompiledExpression, exercise: ExerciseSpec, args: readonly Value[]): number | number[] {
  const byName = new Map(exercise.args.map((a, i) => [a.name, { spec: a, value: args[i] }]));
  let n = -1;
  for (const v of expr.vars) {
    const a = byName.get(v);
    if (!a) throw new RangeError(`${exercise.id}: expression variable '${v}' is not an argument`);
    if (a.spec.kind === 'vector') {
      const len = (a.value as number[]).length;
      if (n >= 0 && len !== n) throw new RangeError(`${exercise.id}: vector arguments of different lengths ${n} and ${len}`);
      n = len;
    } else if (a.spec.kind === 'matrix') {
      throw new RangeError(`${exercise.id}: expression variable '${v}' is a matrix`);
    }
  }
  const scope: Record<string, number> = {};
  const fill = (i: number): void => {
    for (const v of expr.vars) {
      const a = byName.get(v)!;
      scope[v] = a.spec.kind === 'vector' ? (a.value as number[])[i]! : (a.value as number);
    }
  };
  if (exercise.result.kind === 'scalar') {
    fill(0);
    return expr.at(scope);
  }
  const out: number[] = [];
  for (let i = 0; i < Math.max(n, 0); i++) {
    fill(i);
    out.push(expr.at(scope));
  }
  return out;
}
