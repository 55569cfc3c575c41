// The elements run in a browser: the DOM types for this package's sources (the repository's base
// tsconfig targets Node and has no DOM lib).
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
