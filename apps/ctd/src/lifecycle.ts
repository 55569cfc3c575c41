// What must be undone when the user presses Ctrl-C: a progress line drawn on stderr would otherwise
// stay under the shell prompt. cli.ts calls runInterruptHandlers on SIGINT before exiting.

const handlers = new Set<() => void>();

/** Registers something to undo on Ctrl-C; returns the function that unregisters it. */
export function onInterrupt(handler: () => void): () => void {
  handlers.add(handler);
  return () => {
    handlers.delete(handler);
  };
}

/** Runs (and forgets) every registered handler; a failing one does not stop the others. */
export function runInterruptHandlers(): void {
  for (const handler of [...handlers]) {
    handlers.delete(handler);
    try {
      handler();
    } catch {
      // Exiting anyway: nothing useful to do with a failure to clean up the terminal.
    }
  }
}
