import type { Tensor } from './tensor.js';

/**
 * How a registry entry reads its fields from a description (a case file's
 * op, a penalty): the reader knows where it is (for error messages) and
 * throws, naming the field, on anything it cannot accept. The case layer
 * supplies it; the core only says what each field must be.
 */
export interface SpecReader {
  /** Rows of the batch. */
  readonly rows: number;
  /** Columns of the activations where the op sits. */
  readonly width: number;
  /** Number of ops in the network (for penalties that name one). */
  readonly ops: number;
  /** Throws a located error on `field`. */
  fail(field: string, problem: string): never;
  /** Throws an error at an absolute key of the document (a constant's entry, say). */
  failAt(key: string, problem: string): never;
  has(field: string): boolean;
  /** A finite number; `range` bounds it (brackets as written, e.g. '(0, 1]'). */
  number(field: string, range?: Range): number;
  /** A boolean; `fallback` when the field is absent. */
  boolean(field: string, fallback: boolean): boolean;
  /** One of `values`; `fallback` when absent. */
  choice<T extends string>(field: string, values: readonly T[], fallback: T): T;
  /** A parameter name with its shape, after `check` (which returns a problem, or undefined to accept). */
  param(field: string, check?: (shape: readonly number[], name: string) => string | undefined): string;
  /** An array of parameter names. */
  params(field: string): string[];
  /** A constant's name and tensor. */
  constant(field: string): { name: string; tensor: Tensor };
  /** The index of an op of the network. */
  opIndex(field: string): number;
}

export interface Range {
  lo: number;
  hi: number;
  loOpen?: boolean;
  hiOpen?: boolean;
}

/** The fields an entry takes: the reader refuses any other and any missing required one. */
export interface Fields {
  readonly required: readonly string[];
  readonly optional: readonly string[];
}

/** The words that name an item in property titles (strings: whole words, '-' and ' ' alike; regexes as given). */
export type Words = readonly (string | RegExp)[];
