// Shared by every benchmark (packages/*/bench/*.bench.ts) and the runner (scripts/bench.mjs):
// repeated measurements are summarised as a median with their spread, each goal is judged on the
// median, and a goal that lies inside the spread is "within noise" rather than met or not met.
// Each bench records its goals here; the runner prints them all in one table at the end.
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

/**
 * Median, quartiles and range of repeated measurements.
 * @param {readonly number[]} xs
 */
export function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p) => {
    // Linear interpolation between the closest ranks.
    const x = (s.length - 1) * p;
    const lo = Math.floor(x);
    const hi = Math.ceil(x);
    return s[lo] + (s[hi] - s[lo]) * (x - lo);
  };
  return { n: s.length, median: at(0.5), p25: at(0.25), p75: at(0.75), min: s[0], max: s[s.length - 1] };
}

/**
 * Judges a goal on the median of repeated measurements. The spread used is the interquartile range
 * (p25–p75): a goal inside it is "within noise" (the repeats disagree about it).
 * @param {{median:number,p25:number,p75:number}} st
 * @param {number} goal
 * @param {'max'|'min'} kind - 'max': the figure must be at most the goal; 'min': at least
 * @returns {'met'|'not met'|'within noise'}
 */
export function verdict(st, goal, kind = 'max') {
  if (st.p25 < goal && goal < st.p75) return 'within noise';
  const ok = kind === 'max' ? st.median <= goal : st.median >= goal;
  return ok ? 'met' : 'not met';
}

/** `12.3 (IQR 11.9–12.8, range 11.5–13.4, n=5)` with a unit and a number of decimals. */
export function describe(st, unit = '', digits = 1) {
  const f = (x) => x.toFixed(digits);
  return `${f(st.median)}${unit} (IQR ${f(st.p25)}–${f(st.p75)}, range ${f(st.min)}–${f(st.max)}, n=${st.n})`;
}

/** One line on the machine's load, for every bench's header and the final table. */
export function machineLoad() {
  const [one, five] = loadavg();
  return `load average ${one.toFixed(2)} (1 min), ${five.toFixed(2)} (5 min) on ${availableParallelism()} cores`;
}

/**
 * What touching a fresh page of memory costs here, in µs: in a new Node process (whose memory
 * nothing has touched before), the median of 5 rounds over 16 MB each, one write per 4 KB page.
 * On a bare machine this is well under 1 µs; some virtual machines take 10–20 µs, and then every
 * figure that allocates (start-up, peak RSS, tail latencies) grows with it. Printed beside the
 * load so the table can be read for what it is.
 */
export function pageTouchMicros() {
  const probe = `
    const pages = 4096, held = [], rounds = [];
    for (let r = 0; r < 5; r++) {
      const bytes = new Uint8Array(pages * 4096); // kept, so no round reuses another's pages
      held.push(bytes);
      const t0 = performance.now();
      for (let i = 0; i < bytes.length; i += 4096) bytes[i] = 1;
      rounds.push(((performance.now() - t0) * 1000) / pages);
    }
    process.stdout.write(String(rounds.sort((a, b) => a - b)[2]));`;
  const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', timeout: 30_000 });
  const micros = Number(r.stdout);
  return r.status === 0 && Number.isFinite(micros) ? micros : Number.NaN;
}

/**
 * Records a goal's result: prints it, and hands it to the runner's final table (through the file
 * named by CTD_BENCH_RESULTS, when the bench runs under `npm run bench`).
 * @param {{bench:string, goal:string, samples:readonly number[], limit:number, kind?:'max'|'min', unit?:string, digits?:number}} r
 * @returns {'met'|'not met'|'within noise'}
 */
export function recordGoal(r) {
  const st = stats(r.samples);
  const v = verdict(st, r.limit, r.kind ?? 'max');
  const figure = describe(st, r.unit ?? '', r.digits ?? 1);
  process.stdout.write(`goal: ${r.goal}: ${figure} → ${v}\n`);
  const file = process.env.CTD_BENCH_RESULTS;
  if (file) {
    const line = { bench: r.bench, goal: r.goal, figure, verdict: v, load: loadavg()[0] };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }
  return v;
}

/** Reads the recorded goals (runner side). */
export function readGoals(file) {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** The final table: every goal, its figure and its verdict. */
export function printTable(goals, missing, write = (s) => process.stdout.write(s)) {
  const rows = goals.map((g) => [g.bench, g.goal, g.figure, g.verdict]);
  for (const m of missing) rows.push([m, '(no goal recorded: the bench failed or skipped)', '', 'not met']);
  const head = ['bench', 'goal', 'median (spread)', 'verdict'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |\n`;
  write(line(head));
  write(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n`);
  for (const r of rows) write(line(r));
  const by = (v) => rows.filter((r) => r[3] === v).length;
  write(
    `\n${by('met')} met, ${by('not met')} not met, ${by('within noise')} within noise (a goal inside the interquartile range of the repeats)\n`,
  );
}
