// The lock helpers adapters share. Cross-process locks (O_EXCL lock files, flock) come from
// `@ctd/core/node`; this file adds the in-process queue for CLIs that serialize refreshes only
// inside their own process, and the store path a credential's lock is keyed by.
import type { CredentialInfo } from '@ctd/core';

const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` after every earlier call with the same key has settled, so two refreshes of one store
 * in this process never interleave. It does not exclude other processes: it is the whole
 * protocol only for CLIs that have no cross-process lock either.
 *
 * @param key - what is locked, usually the store file's path
 * @param fn - the critical section
 */
export async function withInProcessLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const before = queues.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = before.then(() => mine);
  queues.set(key, tail);
  await before;
  try {
    return await fn();
  } finally {
    release();
    // The last holder of a key removes it, so the map does not grow with every store ever locked.
    if (queues.get(key) === tail) queues.delete(key);
  }
}

/**
 * The file a credential is stored in, or undefined for one that lives in no file (the
 * environment, a pasted key).
 *
 * @param credential - the credential
 */
export function storePathOf(credential: Pick<CredentialInfo, 'origin'>): string | undefined {
  const o = credential.origin;
  return o.type === 'file' || o.type === 'env-file' ? o.path : undefined;
}
