// `ctd history`, `ctd history clear` and `ctd status` on a temp HOME, with the history written
// through @ctd/history the way `ctd scan` and a gateway write it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { type CredentialInfo, toCredentialInfo } from '@ctd/core';
import { sha256Hex } from '@ctd/core/node';
import { HistoryFileSchema, openHistoryStore, recordScan } from '@ctd/history';
import { scan } from '@ctd/scanners';
import { createTempHome, fixtures, type TempHome, writeFullHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../io.ts';
import { main } from '../main.ts';

const HISTORY = '.openclaw/cli-token-history.json';
const SECRET_A = 'sk-proj-history-test-AAAAAAAAAAAAAAAAAAAAAAAA';
const SECRET_B = 'sk-ant-api03-history-test-BBBBBBBBBBBBBBBBBBBB';

let home: TempHome;
beforeEach(async () => {
  home = await createTempHome();
});
afterEach(() => home.cleanup());

async function run(
  args: string[],
  options: { tty?: boolean; answer?: string; env?: Record<string, string> } = {},
) {
  let stdout = '';
  let stderr = '';
  const stdin = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  if (options.answer !== undefined) stdin.end(options.answer);
  const io: CliIo = {
    // A wide terminal: these tests read whole rows (the 80-column layout is tested in table.test.ts).
    stdout: { write: (s: string) => (stdout += s), isTTY: false, columns: 200 },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    stdin,
    env: options.env ?? home.env,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

function credential(
  id: string,
  secret: string,
  provider: string,
  source: CredentialInfo['source'],
): CredentialInfo {
  return {
    id,
    source,
    provider,
    kind: 'api_key',
    label: 'API key',
    hash: sha256Hex(secret),
    preview: 'sk-…',
    expiresAt: null,
    account: {},
    origin: { type: 'env', variable: 'X' },
    hasRefreshToken: false,
    policy: { stance: 'allowed', requiresOptIn: false, note: '', asOf: '2026-05-01' },
    refreshMethods: [],
    keyPage: null,
  };
}

/** Two credentials, one used and cooling down, one invalid. */
async function populate() {
  const store = await openHistoryStore({ env: home.env, flushIntervalMs: 0, flushOnExit: false });
  const now = Date.now();
  const a = credential('environment:openai:key-aaaa', SECRET_A, 'openai', 'environment');
  const b = credential('claude-code:anthropic:key-bbbb', SECRET_B, 'anthropic', 'claude-code');
  await recordScan(store, [a, b], [], now - 3_600_000);
  for (let i = 0; i < 7; i++) store.recordUse(a.id, now - 60_000);
  for (let i = 0; i < 5; i++) store.recordResult(a.id, { ok: true, at: now - 60_000 });
  store.recordResult(a.id, { ok: false, at: now - 30_000 });
  store.setCooldown(a.id, { until: now + 120_000, cause: 'rate_limited', at: now - 30_000 });
  store.setStatus(b.id, 'invalid', 'rejected by the provider (401)', now - 10_000);
  await store.close();
  return { a, b };
}

describe('ctd history', () => {
  it('says there is no history yet, and creates nothing', async () => {
    const r = await run(['history']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No history yet');
    expect(existsSync(home.resolve('.openclaw'))).toBe(false);
    const s = await run(['status']);
    expect(s.code).toBe(0);
    expect(s.stdout).toContain('No credentials on this machine, and none in the history');
    expect(existsSync(home.resolve('.openclaw'))).toBe(false);
  });

  it('shows hashes, counts and statuses in a table, never a secret', async () => {
    const { a, b } = await populate();
    const r = await run(['history']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('History of 2 credentials');
    const line = r.stdout.split('\n').find((l) => l.includes(a.id)) ?? '';
    expect(line).toMatch(
      new RegExp(
        `${a.hash.slice(0, 12)}\\s+7\\s+5\\s+1\\s+active, cooling 2m \\(rate limited\\)\\s+1m ago\\s+1h ago`,
      ),
    );
    expect(r.stdout).toMatch(new RegExp(`${b.id}\\s+${b.hash.slice(0, 12)}\\s+0\\s+0\\s+0\\s+invalid`));
    expect(r.stdout).toContain(`${b.id}: invalid: rejected by the provider (401)`);
    expect(r.stdout).not.toContain(SECRET_A);
    expect(r.stdout).not.toContain(SECRET_B);
  });

  it('prints the whole history as JSON with --json', async () => {
    const { a } = await populate();
    const r = await run(['history', '--json']);
    expect(r.code).toBe(0);
    const file = HistoryFileSchema.parse(JSON.parse(r.stdout));
    expect(file.records[a.id]).toMatchObject({ hash: a.hash, usageCount: 7, successes: 5, failures: 1 });
    expect(r.stdout).not.toContain(SECRET_A);
  });

  it('reads the file named by --file or CTD_HISTORY_FILE', async () => {
    await populate();
    const moved = home.resolve(HISTORY);
    expect((await run(['history', '--json', '--file', moved])).code).toBe(0);
    const r = await run(['history'], { env: { HOME: home.resolve('elsewhere'), CTD_HISTORY_FILE: moved } });
    expect(r.stdout).toContain('History of 2 credentials');
  });

  it('records what a scan found (recordScan), shown by `ctd history`', async () => {
    const full = await writeFullHome(home);
    const result = await scan({ env: full.env });
    const store = await openHistoryStore({ env: full.env, flushIntervalMs: 0, flushOnExit: false });
    const recorded = await recordScan(store, result.credentials.map(toCredentialInfo));
    await store.close();
    expect(recorded.added.length).toBe(result.credentials.length);
    const r = await run(['history', '--json'], { env: full.env });
    const file = HistoryFileSchema.parse(JSON.parse(r.stdout));
    expect(Object.keys(file.records).sort()).toEqual(result.credentials.map((c) => c.id).sort());
    const text = readFileSync(home.resolve(HISTORY), 'utf8');
    for (const c of result.credentials) expect(text).not.toContain(c.secret.reveal());
  });

  it('reports a corrupt file and goes on; reading leaves it in place, the next scan moves it aside', async () => {
    const corrupt = '{"format": "ctd-cli-token-history", "schemaVersion": 1, "reco';
    await home.write(HISTORY, corrupt);
    const r = await run(['history']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/ctd history: the file is not valid JSON.*left in place.* \[INVALID_JSON\]/);
    expect(r.stdout).toContain('is empty');
    // A command that only reads never renames (issue 9, class 4).
    expect(readFileSync(home.resolve(HISTORY), 'utf8')).toBe(corrupt);
    const scan = await run(['scan', '--offline']);
    expect(scan.code).toBe(0);
    expect(scan.stderr).toMatch(
      /ctd scan: the file is not valid JSON.*moved aside to cli-token-history\.json\.corrupt-.* \[INVALID_JSON\]/,
    );
    expect(readdirSync(home.resolve('.openclaw')).some((f) => f.includes('.corrupt-'))).toBe(true);
  });

  it('clears a history file too large to read (history clear --yes moves it aside); reads fail clearly', async () => {
    // Recognisably ours (our format in its head), and larger than the 16 MiB the history reads.
    const head =
      '{"format":"ctd-cli-token-history","schemaVersion":1,"updatedAt":"2026-01-01T00:00:00Z","records":{';
    await home.write(HISTORY, `${head}${' '.repeat(17 * 1024 * 1024)}}}`);
    const read = await run(['history']);
    expect(read.code).toBe(1);
    expect(read.stderr).toMatch(/too large to read.*ctd history clear --yes.*\[FILE_TOO_LARGE\]/);
    // A scan still prints what it found, and says the history was not updated.
    const scan = await run(['scan', '--offline']);
    expect(scan.code).toBe(0);
    expect(scan.stderr).toMatch(/ctd scan: the usage history was not updated \[FILE_TOO_LARGE\]/);
    // One credential's history cannot be found in it: that stays an error.
    expect((await run(['history', 'clear', 'some-id', '--yes'])).code).toBe(1);
    const cleared = await run(['history', 'clear', '--yes']);
    expect(cleared.code).toBe(0);
    expect(cleared.stdout).toMatch(
      /could not be read, so it was moved aside to .*cli-token-history\.json\..*too-large/,
    );
    expect(existsSync(home.resolve(HISTORY))).toBe(false);
    expect((await run(['history'])).stdout).toContain('No history yet');
  });

  it('never renames or changes a file that is not a history (--file naming a Codex auth.json)', async () => {
    const auth = await fixtures.codex.writeCodexApiKey(home);
    const before = readFileSync(auth, 'utf8');
    for (const args of [
      ['status', '--file', auth],
      ['history', '--file', auth],
      ['history', 'clear', '--yes', '--file', auth],
    ]) {
      const r = await run(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('[FOREIGN_FILE]');
    }
    expect(readFileSync(auth, 'utf8')).toBe(before);
    expect(readdirSync(home.resolve('.codex'))).toEqual(['auth.json']);
    expect(statSync(auth).mode & 0o777).toBe(0o600);
  });

  it('fails clearly (exit 1) on a file from a newer version, leaving it untouched', async () => {
    const newer = '{"format":"ctd-cli-token-history","schemaVersion":7,"records":{}}';
    await home.write(HISTORY, newer);
    const r = await run(['history']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ctd history: .*written by a newer version \(schema 7.*\[UNSUPPORTED_VERSION\]/);
    expect(readFileSync(home.resolve(HISTORY), 'utf8')).toBe(newer);
  });

  it('rejects unknown subcommands and options', async () => {
    expect((await run(['history', 'purge'])).code).toBe(2);
    expect((await run(['history', '--bogus'])).code).toBe(2);
  });
});

describe('ctd history clear', () => {
  it('refuses without --yes when not on a terminal', async () => {
    await populate();
    const r = await run(['history', 'clear']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pass --yes');
    expect(Object.keys(JSON.parse(readFileSync(home.resolve(HISTORY), 'utf8')).records)).toHaveLength(2);
  });

  it('clears everything with --yes', async () => {
    await populate();
    const r = await run(['history', 'clear', '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Cleared 2 credentials.\n');
    expect(JSON.parse(readFileSync(home.resolve(HISTORY), 'utf8')).records).toEqual({});
  });

  it('clears one credential, by id or by hash prefix', async () => {
    const { a, b } = await populate();
    const byId = await run(['history', 'clear', a.id, '-y']);
    expect(byId.stdout).toBe(`Cleared the history of ${a.id}.\n`);
    const byHash = await run(['history', 'clear', b.hash.slice(0, 10), '--yes']);
    expect(byHash.code).toBe(0);
    expect(JSON.parse(readFileSync(home.resolve(HISTORY), 'utf8')).records).toEqual({});
  });

  it('names an unknown credential (exit 2)', async () => {
    await populate();
    const r = await run(['history', 'clear', 'nope', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no history for "nope"');
  });

  it('asks on a terminal, and clears only on yes', async () => {
    const { a } = await populate();
    const no = await run(['history', 'clear', a.id], { tty: true, answer: 'n\n' });
    expect(no.code).toBe(0);
    expect(no.stdout).toContain(`Clear the history of ${a.id} from`);
    expect(no.stdout).toContain('Nothing cleared.');
    expect(JSON.parse(readFileSync(home.resolve(HISTORY), 'utf8')).records[a.id]).toBeDefined();
    const yes = await run(['history', 'clear'], { tty: true, answer: 'y\n' });
    expect(yes.stdout).toContain('Clear all history (2 credentials)');
    expect(yes.stdout).toContain('Cleared 2 credentials.');
  });
});

describe('ctd status', () => {
  it('lists every known credential: last check, uses, success rate, last use, cooldown', async () => {
    const { a, b } = await populate();
    const store = await openHistoryStore({ env: home.env, flushIntervalMs: 0, flushOnExit: false });
    const checkedAt = new Date(Date.now() - 600_000).toISOString();
    await recordScan(
      store,
      [b],
      [{ credentialId: b.id, status: 'invalid', reason: 'rejected (HTTP 401)', checkedAt, latencyMs: 5 }],
    );
    await store.close();
    const r = await run(['status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 credentials known (0 on this machine now, 2 from the history only);');
    expect(r.stdout).toMatch(
      new RegExp(
        `claude-code\\s+anthropic\\s+-\\s+-\\s+${b.hash.slice(0, 12)}\\s+invalid\\s+10m ago\\s+\\S+ ago\\s+0\\s+-\\s+-\\s+-`,
      ),
    );
    expect(r.stdout).toMatch(
      new RegExp(
        `environment\\s+openai\\s+-\\s+-\\s+${a.hash.slice(0, 12)}\\s+unchecked\\s+-\\s+1h ago\\s+7\\s+83%\\s+1m ago\\s+2m \\(rate limited\\)`,
      ),
    );
  });

  it('prints the status as JSON', async () => {
    const { a, b } = await populate();
    const r = await run(['status', '--json']);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ historyFile: home.resolve(HISTORY) });
    expect(report.credentials).toEqual([
      expect.objectContaining({ id: b.id, source: 'claude-code', provider: 'anthropic', inLastScan: false }),
      expect.objectContaining({
        id: a.id,
        source: 'environment',
        provider: 'openai',
        usage: expect.objectContaining({ count: 7, successes: 5, failures: 1 }),
        cooldownCause: 'rate_limited',
      }),
    ]);
    expect(r.stdout).not.toContain(SECRET_A);
  });

  it('shows what an offline scan finds now beside the history, making no network call', async () => {
    const full = await writeFullHome(home);
    const r = await run(['status', '--json'], { env: full.env });
    const report = JSON.parse(r.stdout);
    expect(report.credentials.length).toBeGreaterThanOrEqual(full.credentials.length - 2);
    expect(report.credentials.every((c: { inLastScan: boolean }) => c.inLastScan)).toBe(true);
    expect(existsSync(home.resolve('.openclaw'))).toBe(false);
    for (const e of full.credentials) expect(r.stdout).not.toContain(e.secret);
  });
});
