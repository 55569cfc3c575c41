import { historyCommand } from './history.ts';
import { importManualCommand } from './import-manual.ts';
import { refreshCommand } from './refresh.ts';
import { scanCommand } from './scan.ts';
import { serveCommand } from './serve.ts';
import { statusCommand } from './status.ts';
import type { Command } from './types.ts';
import { watchCommand } from './watch.ts';

/** Every `ctd` subcommand, in help order. */
export const COMMANDS: readonly Command[] = [
  scanCommand,
  statusCommand,
  historyCommand,
  refreshCommand,
  watchCommand,
  importManualCommand,
  serveCommand,
];
