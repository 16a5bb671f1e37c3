/**
 * FNV-1a over a string's UTF-16 code units, 32 bits, from `basis` (the standard offset basis by
 * default). Not cryptographic: for seeds, and for telling texts apart cheaply where a rare
 * collision costs nothing worse than a second look.
 */
export function fnv1a(text: string, basis = 0x811c9dc5): number {
  let hash = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}
