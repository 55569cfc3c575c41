// A fake DashboardClient for element tests and the bench: in memory, answering like the service
// (schemas' shapes, CtdError-like codes), with hooks to make a call fail or wait. Test-only: not
// exported by the package.
import type {
  CredentialStatus,
  GetHistoryOutput,
  ImportManualOutput,
  RefreshOutput,
  ScanOutput,
  StatusOutput,
} from '@ctd/service/client';
import type { DashboardClient, SettingsSnapshot, SettingsValue } from '../types.ts';

const HASH = (i: number) => i.toString(16).padStart(64, '0');

const SOURCES = [
  { id: 'example-cli', displayName: 'Example CLI', loginHint: 'run `example login`', provider: 'example' },
  { id: 'other-cli', displayName: 'Other CLI', loginHint: 'run `other auth`', provider: 'other' },
  { id: 'environment', displayName: 'Environment', loginHint: 'set EXAMPLE_API_KEY', provider: 'example' },
] as const;

const STATUSES = [
  'valid',
  'expired',
  'invalid',
  'rate_limited',
  'quota_exhausted',
  'needs_login',
  'unchecked',
  'valid',
] as const;

/** One made-up credential; `i` picks its source and status. Its preview is masked like the service's. */
export function makeCredential(
  i: number,
  over: Partial<CredentialStatus> = {},
  now = Date.now(),
): CredentialStatus {
  const src = SOURCES[i % SOURCES.length]!;
  const status = STATUSES[i % STATUSES.length]!;
  const oauth = src.id !== 'environment';
  return {
    id: `${src.id}:${src.provider}:user${i}`,
    source: src.id,
    provider: src.provider,
    kind: oauth ? 'oauth' : 'api_key',
    label: oauth ? 'Example login' : 'API key',
    hash: HASH(i + 1),
    preview: `sk-…${String(1000 + i).slice(-4)}`,
    expiresAt: i % 8 === 7 ? new Date(now + 3 * 3600_000).toISOString() : null,
    account: oauth ? { email: `user${i}@example.test`, plan: 'pro' } : {},
    origin: oauth
      ? { type: 'file', path: `/home/test/.${src.id}/auth.json`, field: 'access_token' }
      : { type: 'env', variable: 'EXAMPLE_API_KEY' },
    hasRefreshToken: oauth,
    policy: {
      stance: i % 3 === 1 ? 'warn' : 'allowed',
      requiresOptIn: false,
      note: i % 3 === 1 ? 'Subscription logins: check the terms' : 'Keys may be used by other tools',
      asOf: '2026-11-01',
    },
    refreshMethods: [],
    keyPage: 'https://example.test/keys',
    inLastScan: true,
    status,
    lastCheck:
      status === 'unchecked'
        ? null
        : {
            status: status === 'needs_login' ? 'invalid' : status,
            reason: `provider said ${status}`,
            checkedAt: new Date(now - 60_000).toISOString(),
          },
    import:
      status === 'valid'
        ? { status: 'imported', profileId: `${src.provider}:user${i}` }
        : { status: 'skipped', reason: 'not valid' },
    usage: {
      count: (i * 37) % 120,
      lastUsed: i % 4 === 0 ? null : new Date(now - i * 600_000).toISOString(),
      successes: ((i * 37) % 120) - (i % 5),
      failures: i % 5,
      consecutiveFailures: 0,
    },
    firstSeen: new Date(now - 86400_000).toISOString(),
    lastSeen: new Date(now).toISOString(),
    cooldownUntil: status === 'rate_limited' ? new Date(now + 5 * 60_000).toISOString() : null,
    cooldownCause: status === 'rate_limited' ? 'rate_limit' : null,
    ...over,
  } as CredentialStatus;
}

/** `n` made-up credentials. */
export function makeCredentials(n: number, now = Date.now()): CredentialStatus[] {
  return Array.from({ length: n }, (_, i) => makeCredential(i, {}, now));
}

/** Options of {@link createFakeClient}. */
export interface FakeClientOptions {
  credentials?: CredentialStatus[];
  /** Make `status` fail with this code. */
  failStatus?: string | undefined;
  /** Leave out the settings methods. */
  noSettings?: boolean;
  /** `scan` answers when this settles (else after 150 ms): a test sees its progress for sure. */
  scanGate?: Promise<unknown> | undefined;
}

/** What the fake records, for assertions (never a token: only whether one was received). */
export interface FakeClientLog {
  calls: string[];
  tokensReceived: number;
}

/** A fake client and its log. */
export function createFakeClient(opts: FakeClientOptions = {}): {
  client: DashboardClient;
  log: FakeClientLog;
} {
  const log: FakeClientLog = { calls: [], tokensReceived: 0 };
  const now = Date.now();
  let credentials = opts.credentials ?? makeCredentials(8, now);
  let config: SettingsValue = {
    scanOnStartup: true,
    autoImport: true,
    validateTokens: true,
    rotationStrategy: 'round-robin',
    refreshBeforeExpiryMinutes: 10,
    cliSources: Object.fromEntries(
      SOURCES.map((s, i) => [s.id, { enabled: true, priority: i * 10, importLogins: false }]),
    ),
  };
  const fail = (code: string, message: string) => Object.assign(new Error(message), { code });
  const snapshot = (): SettingsSnapshot => ({
    config: structuredClone(config),
    strategies: ['round-robin', 'least-used', 'priority', 'random'],
    sources: SOURCES.map(({ id, displayName, loginHint }) => ({ id, displayName, loginHint })),
    descriptions: { refreshBeforeExpiryMinutes: 'Refresh this many minutes before expiry' },
  });
  const status = (): StatusOutput => ({
    lastScan: null,
    scanning: false,
    historyFile: '/home/test/.openclaw/cli-token-history.json',
    rotationStrategy: config.rotationStrategy,
    importEnabled: config.autoImport,
    credentials,
    sources: [],
    issues: [],
  });
  const methodsFor = (c: CredentialStatus): RefreshOutput['methods'] =>
    c.source === 'environment'
      ? [
          {
            type: 'key-page',
            description: 'Create a new key on the provider’s page',
            url: 'https://example.test/keys',
          },
          { type: 'paste-key', description: 'Paste a key; it is checked, then imported' },
        ]
      : [
          { type: 'cli-login', description: `Run the CLI’s login command`, command: `${c.source} login` },
          { type: 'browser-login', description: 'Log in in your browser', url: 'https://example.test/login' },
          { type: 'paste-key', description: 'Paste a key; it is checked, then imported' },
        ];
  const client: DashboardClient = {
    async status() {
      log.calls.push('status');
      if (opts.failStatus) throw fail(opts.failStatus, 'the history file is locked');
      return status();
    },
    async scan(): Promise<ScanOutput> {
      log.calls.push('scan');
      await (opts.scanGate ?? new Promise((r) => setTimeout(r, 150)));
      return {
        scannedAt: new Date().toISOString(),
        durationMs: 150,
        credentials: [],
        issues: [],
        summary: {
          found: credentials.length,
          valid: credentials.filter((c) => c.status === 'valid').length,
          imported: 1,
          unchanged: 0,
          skipped: 0,
          failed: 0,
        },
      };
    },
    async getHistory(): Promise<GetHistoryOutput> {
      log.calls.push('getHistory');
      const day = 86400_000;
      return {
        records: credentials.slice(0, 4).map((c, k) => ({
          id: c.id,
          hash: c.hash,
          source: c.source,
          provider: c.provider,
          buckets: Array.from({ length: 7 }, (_, d) => ({
            start: new Date(now - (6 - d) * day).toISOString(),
            requests: ((d + 1) * (k + 2) * 3) % 40,
            successes: ((d + 1) * (k + 2) * 3) % 40,
            tokensIn: 1000 * (d + k),
            tokensOut: 400 * (d + k),
            strategy: d < 3 ? 'round-robin' : 'least-used',
          })),
          events:
            k === 1
              ? [
                  { at: new Date(now - 3 * day).toISOString(), type: 'cooldown', note: 'rate limit' },
                  { at: new Date(now - day).toISOString(), type: 'refresh' },
                ]
              : [],
        })),
      };
    },
    async clearHistory() {
      return { removed: 0 };
    },
    async refreshToken(input): Promise<RefreshOutput> {
      log.calls.push(`refreshToken:${input.method ?? ''}`);
      const c = credentials.find((x) => x.id === input.target);
      if (!c) throw fail('NOT_FOUND', `no credential "${input.target}"`);
      const methods = methodsFor(c);
      const method = input.method;
      if (method === 'browser-login') {
        // A device login: the page and its code for the operator's browser; it finishes there.
        return {
          target: input.target,
          credentials: [],
          methods,
          note: '',
          open: { url: 'https://example.test/device', code: 'WDJB-MJHT' },
          run: { method: 'browser-login', status: 'started' },
        };
      }
      return { target: input.target, credentials: [], methods, note: method ? 'Login finished.' : '' };
    },
    async importManual(input): Promise<ImportManualOutput> {
      log.calls.push('importManual');
      log.tokensReceived++;
      if (input.token.length < 8) throw fail('BAD_USAGE', 'importManual: token: token is too short');
      const ok = input.token.startsWith('sk-test-');
      const id = `${input.cli}:example:manual`;
      const view = {
        ...makeCredential(0, {
          id,
          source: input.cli,
          status: ok ? 'valid' : 'invalid',
          preview: 'sk-…fake',
        }),
      } as CredentialStatus;
      if (ok) credentials = [view, ...credentials.filter((c) => c.id !== id)];
      return {
        credential: {
          ...(view as unknown as ImportManualOutput['credential']),
          validation: {
            credentialId: id,
            status: ok ? 'valid' : 'invalid',
            reason: ok ? 'ok' : 'rejected',
            checkedAt: new Date().toISOString(),
            latencyMs: 1,
          },
          import: ok
            ? { status: 'imported', profileId: 'example:manual' }
            : { status: 'skipped', reason: 'not valid' },
        },
      };
    },
  };
  if (!opts.noSettings) {
    client.getConfig = async () => snapshot();
    client.setConfig = async ({ config: next }) => {
      log.calls.push('setConfig');
      if (
        typeof next.rotationStrategy !== 'string' ||
        !snapshot().strategies!.includes(next.rotationStrategy)
      ) {
        throw fail('BAD_USAGE', 'rotationStrategy: invalid option');
      }
      config = structuredClone(next);
      return snapshot();
    };
  }
  return { client, log };
}
