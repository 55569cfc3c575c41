// Types of bench-summary.mjs, for the benchmarks written in TypeScript.
export interface Stats {
  n: number;
  median: number;
  p25: number;
  p75: number;
  min: number;
  max: number;
}
export type Verdict = 'met' | 'not met' | 'within noise';
export interface GoalRecord {
  bench: string;
  goal: string;
  figure: string;
  verdict: Verdict;
  load: number;
}
export function stats(xs: readonly number[]): Stats;
export function verdict(st: Stats, goal: number, kind?: 'max' | 'min'): Verdict;
export function describe(st: Stats, unit?: string, digits?: number): string;
export function machineLoad(): string;
export function pageTouchMicros(): number;
export function recordGoal(r: {
  bench: string;
  goal: string;
  samples: readonly number[];
  limit: number;
  kind?: 'max' | 'min';
  unit?: string;
  digits?: number;
}): Verdict;
export function readGoals(file: string): GoalRecord[];
export function printTable(
  goals: readonly GoalRecord[],
  missing: readonly string[],
  write?: (s: string) => void,
): void;
