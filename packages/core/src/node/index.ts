// Node-only helpers: hashing (node:crypto), the in-memory Secret, and safe file primitives (bounded
// reads, atomic writes, lock files, flock). The main entry stays browser-safe.
export type { WriteFileAtomicOptions } from './atomic-write.ts';
export { ATOMIC_TEMP_PATTERN, writeFileAtomic, writeFileAtomicSync } from './atomic-write.ts';
export type { FlockOptions } from './flock.ts';
export { withFlock } from './flock.ts';
export type { ExclusiveLockFileOptions } from './lock-file.ts';
export { ExclusiveLockFile, processAlive, withExclusiveLockFile } from './lock-file.ts';
export type { BoundedRead, ReadFileBoundedOptions } from './read-bounded.ts';
export { readFileBounded, readFileBoundedSync } from './read-bounded.ts';
export { Secret, sha256Hex } from './secret.ts';
