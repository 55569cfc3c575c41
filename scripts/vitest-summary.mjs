// Prints vitest's totals as one plain closing line, "<label>: N passed, N failed[, N skipped]",
// read from its JSON report, so that CI logs end with a line any reader can count.
import { existsSync, readFileSync } from 'node:fs';

/** Vitest arguments that also write the JSON report to `file`. */
export function reportArgs(file) {
  return ['--reporter=default', '--reporter=json', `--outputFile.json=${file}`];
}

/** Prints the closing line for the report at `file` (nothing when vitest wrote none). */
export function printSummary(file, label) {
  if (!existsSync(file)) return;
  try {
    const r = JSON.parse(readFileSync(file, 'utf8'));
    const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    process.stdout.write(
      `${label}: ${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
    );
  } catch {
    // A partial report (vitest killed mid-run) leaves the exit code to speak.
  }
}
