// The last flush at process exit, isolated here: every live store that asked for one registers a
// synchronous hook, and one `exit` listener serves them all. Only the file driver implements the
// synchronous commit it needs (`commitAtExit`); `close()` is the way to flush without it.
const hooks = new Set<() => void>();

function onProcessExit(): void {
  for (const hook of hooks) hook();
}

/**
 * Runs `hook` when the process exits normally (including `process.exit()`). No promise can settle
 * then: the hook must be synchronous and must not throw.
 *
 * @returns a function that removes the hook
 */
export function registerExitFlush(hook: () => void): () => void {
  if (hooks.size === 0) process.on('exit', onProcessExit);
  hooks.add(hook);
  return () => {
    hooks.delete(hook);
    if (hooks.size === 0) process.off('exit', onProcessExit);
  };
}
