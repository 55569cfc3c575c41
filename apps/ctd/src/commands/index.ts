import type { Command } from './types.ts';

/** A subcommand by name, its module loaded only when it runs (or its help is shown). */
export interface CommandEntry {
  readonly name: string;
  /** Runs until it is stopped (a server, a watcher), where every other command ends by itself. */
  readonly runsUntilStopped?: true;
  load(): Promise<Command>;
}

// Each command's module (and what it imports: the HTTP server of `serve`, the watcher of `watch`)
// loads only when that command runs: start-up is most of a scan's wall time.
/** Every `ctd` subcommand, in help order. */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'scan', load: async () => (await import('./scan.ts')).scanCommand },
  { name: 'status', load: async () => (await import('./status.ts')).statusCommand },
  { name: 'history', load: async () => (await import('./history.ts')).historyCommand },
  { name: 'refresh', load: async () => (await import('./refresh.ts')).refreshCommand },
  { name: 'watch', runsUntilStopped: true, load: async () => (await import('./watch.ts')).watchCommand },
  { name: 'import-manual', load: async () => (await import('./import-manual.ts')).importManualCommand },
  { name: 'serve', runsUntilStopped: true, load: async () => (await import('./serve.ts')).serveCommand },
];

/** Whether the command line `argv` (without node and the script) runs a command that ends by itself. */
export function endsByItself(argv: readonly string[]): boolean {
  return !COMMANDS.find((c) => c.name === argv[0])?.runsUntilStopped;
}
