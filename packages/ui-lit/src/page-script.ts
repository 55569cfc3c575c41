// The page script of `ctd serve`, when a build embedded it (`ctd`'s tsup config defines
// `__CTD_SERVE_PAGE__` with scripts/page-bundle.mjs). A module of its own, imported lazily, so
// that the 100 KB string is loaded only by `ctd serve`, not by every command.
declare const __CTD_SERVE_PAGE__: string | undefined;

/** The embedded page script, or undefined when running from the sources. */
export const EMBEDDED_PAGE_SCRIPT: string | undefined =
  typeof __CTD_SERVE_PAGE__ === 'string' ? __CTD_SERVE_PAGE__ : undefined;
