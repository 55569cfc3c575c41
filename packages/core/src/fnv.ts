// A fast, non-cryptographic string hash for spreading things out (a rotator's start offset per
// instance, a key that tells two pools apart). Never for secrets: those get SHA-256 (`@ctd/core/node`).

/**
 * 32-bit FNV-1a of a string's UTF-16 code units, as an unsigned integer.
 *
 * @param text - what to hash
 * @returns an integer in [0, 2^32)
 */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
