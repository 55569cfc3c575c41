import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * Gives zod's issues their English messages ("Invalid input: expected string, received number").
 * Our schemas are built with `zod/mini`, whose functions a bundler keeps only when used (the whole
 * classic `zod` costs a `ctd` start about 15 ms and 8 MB), and which, unlike classic `zod`, sets no
 * locale of its own. zod words an issue when it parses, so a package calls this once at load, in a
 * module every user of its schemas imports; a locale configured before (by the embedding
 * application) is kept.
 */
export function useEnglishZodMessages(): void {
  if (!config().localeError) config(en());
}
