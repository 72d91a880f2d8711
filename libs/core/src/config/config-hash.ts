import { createHash } from 'node:crypto';

/** JSON with keys sorted at every level, so equal configs serialise equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Short, stable identity of a resolved config: names run folders and is stored in checkpoints. */
export function configHash(config: unknown, length = 12): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, length);
}
