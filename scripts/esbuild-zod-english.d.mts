import type { Plugin } from 'esbuild';
/** An esbuild plugin: bundles zod's English locale only. */
export const zodEnglishOnly: Plugin;
