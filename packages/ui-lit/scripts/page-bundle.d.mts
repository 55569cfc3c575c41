/** The standalone page script of `ctd serve` (Lit included, minified). */
export function bundlePageSync(): string;
