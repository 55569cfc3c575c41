import { scanCommand } from './scan.ts';
import type { Command } from './types.ts';

/** Every `ctd` subcommand, in help order. */
export const COMMANDS: readonly Command[] = [scanCommand];
