/** Catalog objects take only the keys they document: a misspelled key ("tolerence") is an error, not silently ignored. */

/** A message naming the first key of `o` not among `known` (and the keys that are), or undefined. */
export function unknownKey(o: object, known: readonly string[], where: string): string | undefined {
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) return `${where}: unknown key '${k}' (known: ${known.join(', ')})`;
  }
  return undefined;
}
