/**
 * Class names are spelled differently across sources ("potted_plant", "potted plant", "pottedplant",
 * "Potted-Plant"): compare them by a key without case, spaces, underscores or hyphens.
 */
export function classNameKey(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}
