// Test support (not exported): an imaginary CLI with a refreshable OAuth login, so the refresher's
// protocol is tested on its own, apart from any real CLI's details. Its store is
// `~/.demo-cli/auth.json`, its lock an O_EXCL lock file, its token endpoint
// `$CTD_DEMO_OAUTH_BASE_URL/oauth/token` (JSON body, rotating refresh tokens).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CtdError, type PolicyNote } from '@ctd/core';
import { withExclusiveLockFile, writeFileAtomic } from '@ctd/core/node';
import { type ScanContext, type SourceAdapter, SourceCollector } from '@ctd/scanners';

/** The demo CLI's source id. */
export const DEMO_SOURCE = 'demo-cli';
/** The demo CLI's provider. */
export const DEMO_PROVIDER = 'demo-ai';
/** The variable that points the demo CLI's refresh at a test server. */
export const DEMO_BASE_URL_ENV = 'CTD_DEMO_OAUTH_BASE_URL';
/** The demo CLI refreshes this long before expiry. */
export const DEMO_LEAD_MS = 60_000;

const storePath = (ctx: Pick<ScanContext, 'home'>) => join(ctx.home, '.demo-cli', 'auth.json');

/** Options of {@link demoCliAdapter}. */
export interface DemoCliOptions {
  /** The provider's policy asks for an opt-in. @default false */
  readonly requiresOptIn?: boolean;
  /** Refresh tokens rotate. @default true */
  readonly rotating?: boolean;
  /** The adapter's id (two variants side by side). @default `demo-cli` */
  readonly id?: string;
  /** A lock file older than this is broken (ms); crash tests shorten it. @default 10000 */
  readonly lockStaleMs?: number;
}

/** The demo login's store content. */
export interface DemoStore {
  oauth: { access_token: string; refresh_token: string; expires_at: number };
  [key: string]: unknown;
}

/** Writes a demo login into a home. */
export async function writeDemoLogin(
  home: string,
  tokens: { access: string; refresh: string; expiresAt: number },
): Promise<string> {
  const path = storePath({ home });
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(home, '.demo-cli'), { recursive: true });
  const store: DemoStore = {
    oauth: { access_token: tokens.access, refresh_token: tokens.refresh, expires_at: tokens.expiresAt },
    settings: { theme: 'dark' },
  };
  await writeFileAtomic(path, `${JSON.stringify(store, null, 2)}\n`, { mode: 0o600 });
  return path;
}

/** Reads the demo login's store. */
export async function readDemoStore(home: string): Promise<DemoStore> {
  return JSON.parse(await readFile(storePath({ home }), 'utf8')) as DemoStore;
}

/** A refreshable demo CLI adapter. */
export function demoCliAdapter(options: DemoCliOptions = {}): SourceAdapter {
  const rotating = options.rotating ?? true;
  const policy: PolicyNote = options.requiresOptIn
    ? {
        stance: 'forbidden',
        requiresOptIn: true,
        note: 'The demo provider forbids other tools.',
        asOf: '2026-12-01',
      }
    : {
        stance: 'allowed',
        requiresOptIn: false,
        note: 'The demo provider allows other tools.',
        asOf: '2026-12-01',
      };
  const adapter: SourceAdapter = {
    id: options.id ?? DEMO_SOURCE,
    displayName: 'Demo CLI',
    aliases: [],
    defaultPriority: 9,
    loginHint: 'run `demo login`',
    login: { command: 'demo login' },
    loginProvider: DEMO_PROVIDER,
    providers: { [DEMO_PROVIDER]: { keyPage: 'https://keys.demo.example/new', loginPolicy: policy } },
    files: (ctx) => [{ path: storePath(ctx), format: 'json', holdsSecrets: true }],
    async scan(ctx) {
      const out = new SourceCollector(adapter, ctx);
      let store: DemoStore | undefined;
      try {
        store = JSON.parse(await readFile(storePath(ctx), 'utf8')) as DemoStore;
      } catch {
        return out.result();
      }
      if (store?.oauth?.access_token) {
        out.found({
          provider: DEMO_PROVIDER,
          kind: 'oauth',
          label: 'Demo login',
          secret: store.oauth.access_token,
          refreshToken: store.oauth.refresh_token,
          expiresAt: store.oauth.expires_at,
          origin: { type: 'file', path: storePath(ctx), field: 'oauth.access_token' },
        });
      }
      return out.result();
    },
    withLock(ctx, _credential, fn) {
      return withExclusiveLockFile(
        `${storePath(ctx)}.lock`,
        { timeoutMs: 20_000, staleAfterMs: options.lockStaleMs ?? 10_000, stale: 'mtime' },
        fn,
      );
    },
    async writeBack(ctx, credential, tokens) {
      const path = storePath(ctx);
      const store = JSON.parse(await readFile(path, 'utf8')) as DemoStore;
      if (store.oauth.access_token !== credential.secret.reveal()) {
        throw new CtdError('NOT_FOUND', `${path} no longer holds this login`);
      }
      store.oauth.access_token = tokens.accessToken;
      if (tokens.refreshToken) store.oauth.refresh_token = tokens.refreshToken;
      if (tokens.expiresAtMs !== undefined) store.oauth.expires_at = tokens.expiresAtMs;
      await writeFileAtomic(path, `${JSON.stringify(store, null, 2)}\n`);
    },
    oauthRefresh(credential) {
      if (credential.kind !== 'oauth' || !credential.hasRefreshToken) return undefined;
      return {
        rotating,
        request(ctx, c) {
          const base = ctx.env[DEMO_BASE_URL_ENV] ?? 'https://auth.demo.example';
          return {
            url: `${base}/oauth/token`,
            headers: { 'x-demo-client': 'demo-cli' },
            body: {
              type: 'json',
              value: {
                grant_type: 'refresh_token',
                client_id: 'demo-client',
                refresh_token: c.refreshSecret?.reveal() ?? '',
              },
            },
          };
        },
        parse(status, body, now) {
          const b = (body ?? {}) as Record<string, unknown>;
          if (status >= 200 && status < 300 && typeof b.access_token === 'string') {
            const expiresIn = typeof b.expires_in === 'number' ? b.expires_in : 3600;
            return {
              ok: true,
              tokens: {
                accessToken: b.access_token,
                ...(typeof b.refresh_token === 'string' ? { refreshToken: b.refresh_token } : {}),
                expiresAtMs: now.getTime() + expiresIn * 1000,
              },
            };
          }
          const code = typeof b.error === 'string' ? b.error : `http_${status}`;
          const permanent =
            status === 401 ||
            ['refresh_token_reused', 'refresh_token_expired', 'invalid_grant'].includes(code);
          return { ok: false, permanent, code, reason: `the token endpoint answered ${status} ${code}` };
        },
        refreshAt(c) {
          return c.expiresAt ? Date.parse(c.expiresAt) - DEMO_LEAD_MS : null;
        },
      };
    },
  };
  return adapter;
}
