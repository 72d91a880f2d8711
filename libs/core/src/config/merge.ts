export type Plain = Record<string, unknown>;

export function isPlain(value: unknown): value is Plain {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Deep merge for config inheritance: mappings merge key by key, anything else (scalars, lists) in `over`
 * replaces what `base` had. A mapping with `_delete_: true` replaces instead of merging, as in MMSegmentation.
 */
export function deepMerge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (isPlain(value) && value['_delete_'] === true) {
      const { _delete_: _, ...rest } = value;
      out[key] = rest;
    } else if (isPlain(value) && isPlain(out[key])) {
      out[key] = deepMerge(out[key] as Plain, value);
    } else {
      out[key] = value;
    }
  }
  return out;
}
