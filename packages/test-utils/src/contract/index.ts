// The contract every source adapter passes, run from each adapter's folder with
// `runAdapterContract({ adapter, fixtures })`: empty homes, every kind of bad file, arbitrary
// bytes, its own fixture found and never serialized, its declared facts well-formed, its lock
// really taken, and a write-back round trip for adapters that write refreshed tokens back.
import { createHash } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { dirname } from 'node:path';
import type { CheckedLocation, DiscoveredCredential, ScanIssue } from '@ctd/core';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExpectedCredential } from '../fixtures/types.ts';
import type { FullHomeExpectation } from '../full-home.ts';
import { createTempHome, type TempHome } from '../temp-home.ts';
import { CANARY, corruptionsOf, DEFAULT_MAX_FILE_BYTES } from './corruptions.ts';
import { cliLockHeld } from './locks.ts';
import type { ContractAdapter, ContractRefreshedTokens, ContractScanContext } from './types.ts';

export type {
  ContractAdapter,
  ContractProviderFacts,
  ContractRefreshedTokens,
  ContractScanContext,
  ContractStoreFile,
} from './types.ts';

/** A fixture of the adapter's store: the shape of each module in `fixtures`. */
export interface AdapterContractFixtures {
  /** Writes logins or keys of this source into an empty home; returns what a scan must find. */
  populate(home: TempHome): Promise<ExpectedCredential[]>;
  /** Variables to scan the populated home with, besides `HOME`. */
  readonly fullHomeEnv?: Record<string, string>;
}

/** The other sources the adapter is scanned alongside, and a home holding their logins. */
export interface AdapterContractNeighbours {
  /** The adapters of a full scan (the adapter under test may be among them). */
  readonly adapters: readonly ContractAdapter[];
  /** Lays out their logins (e.g. `writeFullHome`). */
  writeHome(home: TempHome): Promise<FullHomeExpectation>;
}

/** What the write-back round trip writes, and which credential it refreshes. */
export interface WriteBackFixture {
  /** The refreshed tokens (placeholders). */
  readonly tokens: ContractRefreshedTokens;
  /** Picks the credential to refresh. @default the first OAuth login read from a file */
  pick?(credential: DiscoveredCredential): boolean;
}

/** What `additionalTests` get to write their own tests with. */
export interface AdapterContractContext {
  /** The adapter under test. */
  readonly adapter: ContractAdapter;
  /** The current test's temp home (a fresh one for each test, removed afterwards). */
  home(): TempHome;
  /** A scan context for an environment (with `HOME`). */
  context(env: Record<string, string>): ContractScanContext;
  /** Scans with the adapter (or the given adapters), as `scan()` of `@ctd/scanners` does. */
  scan(env: Record<string, string>, adapters?: readonly ContractAdapter[]): Promise<ContractScanResult>;
}

/** What a contract scan found. */
export interface ContractScanResult {
  readonly credentials: DiscoveredCredential[];
  readonly issues: ScanIssue[];
  readonly locations: CheckedLocation[];
}

/** Options of {@link runAdapterContract}. */
export interface AdapterContractOptions {
  /** The adapter under test. */
  readonly adapter: ContractAdapter;
  /** Its store fixture. */
  readonly fixtures: AdapterContractFixtures;
  /**
   * The sources of a full scan and their fixtures, to show that a broken file of this source
   * hides nothing the others find. @default the adapter alone
   */
  readonly neighbours?: AdapterContractNeighbours;
  /** Required when the adapter implements `writeBack`: the tokens of the round trip. */
  readonly writeBack?: WriteBackFixture;
  /** Extra tests, run inside the contract's `describe` with a fresh home each. */
  additionalTests?(context: AdapterContractContext): void;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

function currentUser(env: Record<string, string>): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? '';
  }
}

function contextFor(env: Record<string, string>, adapters: readonly ContractAdapter[]): ContractScanContext {
  return Object.freeze({
    home: env.HOME ?? '',
    env,
    hostname: hostname(),
    username: currentUser(env),
    maxFileBytes: DEFAULT_MAX_FILE_BYTES,
    now: new Date(),
    adapters,
  });
}

/** Runs adapters the way `scan()` does: one failing adapter becomes an issue, the others go on. */
async function scanWith(
  adapters: readonly ContractAdapter[],
  ctx: ContractScanContext,
): Promise<ContractScanResult> {
  const results = await Promise.all(
    adapters.map(async (adapter) => {
      try {
        return await adapter.scan(ctx);
      } catch (error) {
        const issue: ScanIssue = {
          source: adapter.id,
          path: '',
          code: 'ADAPTER_FAILED',
          message: `the ${adapter.displayName} scanner failed unexpectedly (${error instanceof Error ? error.name : 'error'})`,
          severity: 'error',
        };
        return { credentials: [], issues: [issue], locations: [] };
      }
    }),
  );
  return {
    credentials: results.flatMap((r) => r.credentials),
    issues: results.flatMap((r) => r.issues),
    locations: results.flatMap((r) => r.locations),
  };
}

/** Every object's key order, by path, so a rewrite can be checked to keep it. */
function keyOrders(value: unknown, path = '$', out = new Map<string, string[]>()): Map<string, string[]> {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) keyOrders(v, `${path}[${i}]`, out);
  } else if (value && typeof value === 'object') {
    out.set(path, Object.keys(value));
    for (const [k, v] of Object.entries(value)) keyOrders(v, `${path}.${k}`, out);
  }
  return out;
}

const UNKNOWN_FIELD = 'ctdContractUnknownField';
const UNKNOWN_VALUE = { z: 1, a: ['kept', { as: 'is' }], m: null };
const ODD_MODE = 0o640;

/**
 * Registers the shared adapter contract (vitest `describe`/`it`) for one adapter, as unstorage's
 * `testDriver` does for drivers. Call it from the adapter folder's `contract.test.ts`.
 *
 * @param options - the adapter, its store fixture, its neighbours, write-back tokens, extra tests
 * @example
 * runAdapterContract({
 *   adapter: myCliAdapter,
 *   fixtures: { populate: writeMyCliLogin },
 *   neighbours: { adapters: [...ALL_ADAPTERS, myCliAdapter], writeHome: writeFullHome },
 * });
 */
export function runAdapterContract(options: AdapterContractOptions): void {
  const { adapter, fixtures } = options;
  const neighbours = options.neighbours?.adapters ?? [adapter];
  const scanList = neighbours.includes(adapter) ? neighbours : [...neighbours, adapter];

  describe(`adapter contract: ${adapter.id}`, () => {
    let home: TempHome;
    beforeEach(async () => {
      home = await createTempHome();
    });
    afterEach(() => home.cleanup());

    const ctxOf = (env: Record<string, string>) => contextFor(env, scanList);
    const scanOne = (env: Record<string, string>) => scanWith([adapter], ctxOf(env));

    /** This adapter's fixture in the home, with the neighbours' when there are any. */
    async function writeHome(): Promise<FullHomeExpectation> {
      const full = options.neighbours
        ? await options.neighbours.writeHome(home)
        : { credentials: [], env: {} };
      const own = await fixtures.populate(home);
      const credentials = [...full.credentials];
      for (const c of own)
        if (!credentials.some((e) => e.source === c.source && e.secret === c.secret)) credentials.push(c);
      return { credentials, env: { ...home.env, ...full.env, ...fixtures.fullHomeEnv } };
    }

    it('declares well-formed facts: id, aliases, priority, login, providers', () => {
      expect(adapter.id).toMatch(/^[a-z][a-z0-9-]{0,63}$/);
      expect(adapter.displayName.trim()).not.toBe('');
      expect(adapter.loginHint.trim()).not.toBe('');
      for (const alias of adapter.aliases) expect(alias).toMatch(/^[a-z][a-z0-9-]{0,63}$/);
      expect(Number.isInteger(adapter.defaultPriority) && adapter.defaultPriority >= 0).toBe(true);
      if (adapter.login) expect(adapter.login.command.trim()).not.toBe('');
      for (const [provider, facts] of Object.entries(adapter.providers)) {
        expect(provider.trim(), 'provider id').not.toBe('');
        if (facts.keyPage) expect(new URL(facts.keyPage).protocol, `${provider} key page`).toBe('https:');
        if (facts.loginPolicy) expect(facts.loginPolicy.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        if (facts.noGatewayProvider) expect(facts.noGatewayProvider.whatToDo.trim()).not.toBe('');
      }
    });

    it('finds nothing and reports nothing in an empty home', async () => {
      const r = await scanOne(home.env);
      expect(r.credentials).toEqual([]);
      expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
    });

    it('lists its files under the home, honouring HOME', () => {
      for (const f of adapter.files(ctxOf(home.env))) {
        if (f.path.startsWith('/etc/')) continue;
        expect(f.path.startsWith(home.path)).toBe(true);
      }
    });

    it('finds every credential of its fixture, from its own files, and serializes no secret', async () => {
      const full = await writeHome();
      const r = await scanOne(full.env);
      expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
      const hashes = new Set(r.credentials.map((c) => c.hash));
      for (const e of full.credentials.filter((c) => c.source === adapter.id))
        expect(hashes.has(sha256(e.secret)), `${e.provider} ${e.kind}`).toBe(true);
      const json = JSON.stringify(r.credentials);
      for (const c of r.credentials) {
        expect(c.source).toBe(adapter.id);
        expect(json).not.toContain(c.secret.reveal());
        if (c.refreshSecret) expect(json).not.toContain(c.refreshSecret.reveal());
      }
    });

    it('turns each kind of bad file into one issue with its path, and keeps scanning the others', async () => {
      const fileCount = adapter.files(ctxOf(home.env)).length;
      for (let index = 0; index < fileCount; index++) {
        const kinds = corruptionsOf(adapter.files(ctxOf(home.env))[index] as never);
        for (const c of kinds) {
          const file = adapter.files(ctxOf(home.env))[index] as { path: string };
          const full = await writeHome();
          await rm(file.path, { recursive: true, force: true });
          await c.write(file.path);
          const r = await scanWith(scanList, ctxOf(full.env));
          const mine = r.issues.filter((i) => i.path === file.path);
          expect(mine, `${file.path}: ${c.name}`).toHaveLength(1);
          expect(mine[0]?.code, `${file.path}: ${c.name}`).toMatch(c.code);
          expect(JSON.stringify(r.issues)).not.toContain(CANARY);
          // Every other source is still scanned: credentials of other adapters are all there.
          const others = full.credentials.filter((e) => e.source !== adapter.id);
          const hashes = new Set(r.credentials.map((x) => x.hash));
          for (const e of others)
            expect(hashes.has(sha256(e.secret)), `${e.source} after ${c.name}`).toBe(true);
          await chmod(file.path, 0o600).catch(() => {});
          await home.cleanup();
          home = await createTempHome();
        }
      }
    });

    it('never throws and never echoes content, whatever bytes its files hold (property)', async () => {
      const files = adapter.files(ctxOf(home.env));
      if (files.length === 0) return;
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.oneof(
              fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
              fc.json().map((j) => Buffer.from(j)),
              fc.string().map((s) => Buffer.from(`${s}${CANARY}`)),
              fc.constantFrom(Buffer.from('\ufeff{"a":1}\r\n'), Buffer.from(`x = "${CANARY}"\r\n`)),
            ),
            { minLength: files.length, maxLength: files.length },
          ),
          async (contents) => {
            for (const [i, f] of files.entries()) {
              await mkdir(dirname(f.path), { recursive: true });
              await writeFile(f.path, contents[i] as Buffer);
            }
            const r = await scanOne(home.env);
            for (const issue of r.issues) {
              expect(issue.message).not.toContain(CANARY);
              expect(
                issue.path === '' ||
                  files.some((f) => f.path === issue.path) ||
                  issue.path.startsWith(home.path),
              ).toBe(true);
            }
            expect(r.issues.every((i) => i.code !== 'ADAPTER_FAILED')).toBe(true);
          },
        ),
        { numRuns: 25 },
      );
    });

    if (adapter.recognizePasted) {
      const recognize = adapter.recognizePasted.bind(adapter);
      it('reads a pasted key as candidates of its own providers, never keeping the key', () => {
        for (const token of [`sk-test-${CANARY}`, `  ${CANARY}  `, 'x']) {
          const candidates = recognize(token);
          expect(candidates.length).toBeGreaterThan(0);
          for (const c of candidates) {
            expect(['api_key', 'oauth', 'token']).toContain(c.kind);
            expect(c.label.trim()).not.toBe('');
            if (c.baseUrl) expect(new URL(c.baseUrl).protocol).toBe('https:');
          }
          expect(JSON.stringify(candidates)).not.toContain(CANARY);
        }
      });
    }

    if (adapter.withLock) {
      const withLock = adapter.withLock.bind(adapter);
      it("holds the CLI's lock while its function runs, serializes two callers, and releases it on error", async () => {
        const full = await writeHome();
        const ctx = ctxOf(full.env);
        const stored = (await scanOne(full.env)).credentials.filter((c) => c.origin.type === 'file');
        expect(stored.length, 'the fixture should hold a credential read from a file').toBeGreaterThan(0);
        for (const credential of stored) {
          const events: string[] = [];
          let releaseFirst!: () => void;
          const firstMayEnd = new Promise<void>((resolve) => {
            releaseFirst = resolve;
          });
          let firstEntered!: () => void;
          const entered = new Promise<void>((resolve) => {
            firstEntered = resolve;
          });
          const first = withLock(ctx, credential, async () => {
            events.push('first in');
            firstEntered();
            // The CLI's lock guards its logins; keys in settings files may be serialized in-process only.
            if (credential.kind !== 'api_key' && (await cliLockHeld(adapter, ctx)) === false)
              events.push('CLI lock not held');
            await firstMayEnd;
            events.push('first out');
          });
          await entered;
          const second = withLock(ctx, credential, async () => {
            events.push('second in');
          });
          // The second caller must wait however long the first takes: end the first only now.
          await new Promise<void>((resolve) => setImmediate(resolve));
          releaseFirst();
          await Promise.all([first, second]);
          expect(events, credential.id).toEqual(['first in', 'first out', 'second in']);
          await expect(
            withLock(ctx, credential, async () => {
              throw new Error('boom');
            }),
          ).rejects.toThrow('boom');
          expect(await cliLockHeld(adapter, ctx), `${credential.id}: released`).not.toBe(true);
        }
      });
    }

    if (adapter.writeBack) {
      const writeBack = adapter.writeBack.bind(adapter);
      it('writes refreshed tokens back under its lock: new hash, same id, unknown fields, key order and mode kept', async () => {
        const fixture = options.writeBack;
        expect(fixture, 'an adapter with writeBack needs a writeBack fixture').toBeDefined();
        if (!fixture) return;
        const full = await writeHome();
        const ctx = ctxOf(full.env);
        const pick =
          fixture.pick ?? ((c: DiscoveredCredential) => c.kind === 'oauth' && c.origin.type === 'file');
        const found = (await scanOne(full.env)).credentials.find(pick);
        expect(found, 'the fixture should hold a login to refresh').toBeDefined();
        if (found?.origin.type !== 'file') return;
        const path = found.origin.path;

        // An unknown field (the CLI may add some in a later version) and an unusual mode.
        const original = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
        await writeFile(
          path,
          `${JSON.stringify({ ...original, [UNKNOWN_FIELD]: UNKNOWN_VALUE }, null, 2)}\n`,
        );
        await chmod(path, ODD_MODE);
        const before = (await scanOne(full.env)).credentials.find((c) => c.id === found.id);
        expect(before).toBeDefined();
        if (!before) return;
        const beforeJson = JSON.parse(await readFile(path, 'utf8')) as unknown;

        let lockSeen: boolean | undefined;
        await (adapter.withLock ?? ((_c, _x, fn: () => Promise<void>) => fn()))(ctx, before, async () => {
          lockSeen = await cliLockHeld(adapter, ctx);
          await writeBack(ctx, before, fixture.tokens);
        });
        expect(lockSeen, "the CLI's lock is held during the write").not.toBe(false);

        const afterText = await readFile(path, 'utf8');
        const afterJson = JSON.parse(afterText) as Record<string, unknown>;
        expect(afterJson[UNKNOWN_FIELD], 'unknown fields are kept').toEqual(UNKNOWN_VALUE);
        const orderBefore = keyOrders(beforeJson);
        const orderAfter = keyOrders(afterJson);
        for (const [where, keys] of orderBefore) {
          const now = orderAfter.get(where) ?? [];
          expect(
            now.filter((k) => keys.includes(k)),
            `key order at ${where}`,
          ).toEqual(keys.filter((k) => now.includes(k)));
          expect(
            keys.filter((k) => !now.includes(k)),
            `keys dropped at ${where}`,
          ).toEqual([]);
        }
        expect((await stat(path)).mode & 0o777, 'file mode').toBe(ODD_MODE);
        expect(afterText).not.toContain(before.secret.reveal());
        const leftovers = (await readdir(dirname(path))).filter((n) => /\.tmp-\d+-[0-9a-f]{8}$/.test(n));
        expect(leftovers, 'no temp file left behind').toEqual([]);

        const after = (await scanOne(full.env)).credentials.find((c) => c.id === before.id);
        expect(after, 'the same id after the refresh').toBeDefined();
        expect(after?.hash).toBe(sha256(fixture.tokens.accessToken));
        expect(after?.hash).not.toBe(before.hash);
        if (fixture.tokens.refreshToken)
          expect(after?.refreshSecret?.reveal()).toBe(fixture.tokens.refreshToken);
        if (fixture.tokens.expiresAtMs !== undefined)
          expect(after?.expiresAt).toBe(new Date(fixture.tokens.expiresAtMs).toISOString());
      });
    }

    options.additionalTests?.({
      adapter,
      home: () => home,
      context: ctxOf,
      scan: (env, adapters = [adapter]) => scanWith(adapters, ctxOf(env)),
    });
  });
}
