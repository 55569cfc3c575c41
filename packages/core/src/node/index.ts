// Node-only helpers: hashing (node:crypto) and the in-memory Secret. The main entry stays browser-safe.
export { Secret, sha256Hex } from './secret.ts';
