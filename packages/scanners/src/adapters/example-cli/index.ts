// A test-only adapter: an imaginary CLI that proves adding a CLI takes one folder and one line in
// an adapter list. It is not in the shipped list (ALL_ADAPTERS); example-cli.test.ts adds it.
import { join } from 'node:path';
import { withExclusiveLockFile, writeFileAtomic } from '@ctd/core/node';
import * as z from 'zod/mini';
import { SourceCollector } from '../../collector.ts';
import { readTextFile } from '../../read.ts';
import type { ScanContext, SourceAdapter, StoreFile } from '../../types.ts';
import { storePathOf, withInProcessLock } from '../_shared/locks.ts';

/** Source id of the example CLI. */
export const EXAMPLE_SOURCE = 'example-cli' as const;

/** The provider of the example CLI's logins and keys. */
export const EXAMPLE_PROVIDER = 'example-ai';

/** Where the example provider issues keys. */
export const EXAMPLE_KEY_PAGE = 'https://keys.example.com/new';

const AuthSchema = z.looseObject({
  api_key: z.nullish(z.string()),
  oauth: z.nullish(
    z.looseObject({
      access_token: z.string(),
      refresh_token: z.nullish(z.string()),
      expires_at: z.nullish(z.number()),
    }),
  ),
});

function exampleHome(ctx: ScanContext): string {
  const override = ctx.env.EXAMPLE_CLI_HOME?.trim();
  return override ? override : join(ctx.home, '.example-cli');
}

const authPath = (ctx: ScanContext) => join(exampleHome(ctx), 'auth.json');
const lockPath = (ctx: ScanContext) => join(exampleHome(ctx), 'auth.json.lock');

/** The example CLI: a login and a key in `~/.example-cli/auth.json`, refreshed under an O_EXCL lock. */
export const exampleCliAdapter: SourceAdapter = {
  id: EXAMPLE_SOURCE,
  displayName: 'Example CLI',
  aliases: ['example'],
  defaultPriority: 9,
  loginHint: 'run `example login`',
  login: { command: 'example login', browserCommand: 'example login --device' },
  loginProvider: EXAMPLE_PROVIDER,
  providers: {
    [EXAMPLE_PROVIDER]: {
      keyPage: EXAMPLE_KEY_PAGE,
      loginPolicy: {
        stance: 'allowed',
        requiresOptIn: false,
        note: 'The example provider welcomes its logins in any tool.',
        asOf: '2026-12-01',
      },
      noGatewayProvider: { reason: 'no gateway knows the example provider', whatToDo: 'Nothing.' },
    },
  },

  recognizePasted() {
    return [{ provider: EXAMPLE_PROVIDER, kind: 'api_key', label: 'Example key (pasted)' }];
  },

  files(ctx): StoreFile[] {
    return [{ path: authPath(ctx), format: 'json', holdsSecrets: true }];
  },

  lockProtocol(ctx) {
    return { kind: 'o-excl', lockPath: lockPath(ctx), staleAfterMs: 10_000 };
  },

  async withLock(ctx, credential, fn) {
    if (storePathOf(credential) !== authPath(ctx)) return withInProcessLock(EXAMPLE_SOURCE, fn);
    return withExclusiveLockFile(
      lockPath(ctx),
      { timeoutMs: 5_000, staleAfterMs: 10_000, stale: 'mtime' },
      fn,
    );
  },

  async writeBack(ctx, credential, tokens) {
    const path = authPath(ctx);
    if (storePathOf(credential) !== path) throw new Error('not a login of the example CLI');
    const read = await readTextFile(path, ctx.maxFileBytes);
    if (read.status !== 'ok') throw new Error('the example CLI store cannot be read');
    // Parsed into plain objects, changed in place: key order and unknown fields stay as they were.
    const store = JSON.parse(read.value) as { oauth?: Record<string, unknown> };
    if (!store.oauth) throw new Error('the example CLI store holds no login');
    store.oauth.access_token = tokens.accessToken;
    if (tokens.refreshToken) store.oauth.refresh_token = tokens.refreshToken;
    if (tokens.expiresAtMs !== undefined) store.oauth.expires_at = tokens.expiresAtMs;
    await writeFileAtomic(path, `${JSON.stringify(store, null, 2)}\n`);
  },

  async scan(ctx) {
    const out = new SourceCollector(exampleCliAdapter, ctx);
    const path = authPath(ctx);
    const auth = await out.readJson(path, AuthSchema);
    if (!auth) return out.result();
    const key = auth.api_key?.trim();
    if (key) {
      out.found({
        provider: EXAMPLE_PROVIDER,
        kind: 'api_key',
        label: 'Example API key',
        secret: key,
        origin: { type: 'file', path, field: 'api_key' },
      });
    }
    const access = auth.oauth?.access_token.trim();
    if (access) {
      const refresh = auth.oauth?.refresh_token?.trim() || undefined;
      out.found({
        provider: EXAMPLE_PROVIDER,
        kind: refresh ? 'oauth' : 'token',
        label: 'Example login',
        secret: access,
        refreshToken: refresh,
        expiresAt: auth.oauth?.expires_at ?? null,
        origin: { type: 'file', path, field: 'oauth.access_token' },
      });
    }
    out.checked(path, key || access ? 'found' : 'empty', key || access ? 'a login or key' : 'nothing');
    return out.result();
  },
};
