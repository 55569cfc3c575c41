import { join } from 'node:path';
import { type CredentialKind, CtdErrorCode } from '@ctd/core';
import * as z from 'zod/mini';
import { SourceCollector } from '../../collector.ts';
import { checkShape, parseJsonText } from '../../read.ts';
import type { PastedCandidate, ScanContext, SourceAdapter, StoreFile } from '../../types.ts';
import { keychainKind, keychainOrigin, keychainSecret } from '../_shared/keychain.ts';
import { storePathOf, withInProcessLock } from '../_shared/locks.ts';
import { parseSimpleYaml, stripJsonComments, type YamlMap } from './formats.ts';

/** Source id of the GitHub Copilot CLI adapter. */
export const COPILOT_SOURCE = 'github-copilot-cli' as const;

/** OpenClaw's provider id for GitHub Copilot (it takes COPILOT_GITHUB_TOKEN, GH_TOKEN, GITHUB_TOKEN). */
export const COPILOT_PROVIDER = 'github-copilot';

/** Where GitHub issues fine-grained tokens (Copilot needs the "Copilot Requests" permission). */
const COPILOT_KEY_PAGE = 'https://github.com/settings/personal-access-tokens/new';

/** The variables the Copilot CLI takes a token from, in its order of precedence. */
const ENV_VARS = ['COPILOT_GITHUB_TOKEN', 'GH_TOKEN', 'GITHUB_TOKEN'] as const;

// `~/.copilot/config.json` (1.0.102): JSONC with a comment header. `authTokens` is keyed
// `<host>:<login>` and `<host>:<login>:<app>` (both hold the same token); `loggedInUsers` and
// `lastLoggedInUser` name the accounts. Other keys (settings, trusted folders) share the file.
const ConfigSchema = z.looseObject({
  authTokens: z.nullish(z.record(z.string(), z.looseObject({ token: z.string() }))),
  loggedInUsers: z.nullish(
    z.array(z.looseObject({ host: z.nullish(z.string()), login: z.nullish(z.string()) })),
  ),
  lastLoggedInUser: z.nullish(z.looseObject({ host: z.nullish(z.string()), login: z.nullish(z.string()) })),
});

/** `$COPILOT_HOME`, else `~/.copilot`. */
function copilotHome(ctx: ScanContext): string {
  const override = ctx.env.COPILOT_HOME?.trim();
  return override ? override : join(ctx.home, '.copilot');
}

/**
 * The GitHub CLI's config dir: `$GH_CONFIG_DIR`, else `$XDG_CONFIG_HOME/gh`, else on Windows
 * `%APPDATA%\GitHub CLI`, else `~/.config/gh`.
 */
function ghConfigDir(ctx: ScanContext): string {
  const override = ctx.env.GH_CONFIG_DIR?.trim();
  if (override) return override;
  if ((ctx.platform ?? process.platform) === 'win32' && !ctx.env.XDG_CONFIG_HOME?.trim()) {
    const appData = ctx.env.APPDATA?.trim();
    return join(appData ? appData : join(ctx.home, 'AppData', 'Roaming'), 'GitHub CLI');
  }
  const xdg = ctx.env.XDG_CONFIG_HOME?.trim();
  return join(xdg ? xdg : join(ctx.home, '.config'), 'gh');
}

/**
 * The kind and label of a GitHub token, from its prefix. A fine-grained PAT is a long-lived key
 * the user made; an OAuth token (`gho_`, `ghu_`) is a login's bearer token, never refreshed by
 * the CLI. Classic PATs (`ghp_`) are found too, but Copilot does not take them.
 */
function describeToken(token: string): { kind: CredentialKind; label: string } {
  if (token.startsWith('github_pat_')) return { kind: 'api_key', label: 'GitHub fine-grained token' };
  if (token.startsWith('ghp_'))
    return { kind: 'api_key', label: 'GitHub classic token (Copilot does not accept it)' };
  if (token.startsWith('gho_')) return { kind: 'token', label: 'GitHub Copilot login' };
  if (token.startsWith('ghu_')) return { kind: 'token', label: 'GitHub app user token' };
  return { kind: 'token', label: 'GitHub token' };
}

/** `https://github.com:octocat:github` → host `https://github.com`, login `octocat`. */
function parseTokenKey(key: string): { host: string; login: string } | undefined {
  const m = /^(https?:\/\/[^:/]+(?::\d+)?):([^:]+)(?::[^:]*)?$/.exec(key);
  return m ? { host: m[1]!, login: m[2]! } : undefined;
}

function hostLabel(host: string): string {
  const name = host.replace(/^https?:\/\//, '');
  return name === 'github.com' ? '' : ` (${name})`;
}

async function scanConfig(out: SourceCollector, ctx: ScanContext): Promise<void> {
  const path = join(copilotHome(ctx), 'config.json');
  const text = await out.readText(path);
  if (text === undefined) return;
  const parsed = out.settle(path, parseJsonText(stripJsonComments(text)));
  if (parsed === undefined) return;
  const config = out.settle(path, checkShape(ConfigSchema, parsed));
  if (!config) return;
  // One credential per distinct token and account: the `:github` key repeats the plain one.
  const seen = new Set<string>();
  let found = 0;
  for (const [key, entry] of Object.entries(config.authTokens ?? {})) {
    const token = entry.token.trim();
    const where = parseTokenKey(key);
    if (!token || !where) {
      out.checked(`${path}#authTokens`, 'skipped', 'holds an entry of no known shape');
      continue;
    }
    if (seen.has(`${where.host} ${where.login} ${token}`)) continue;
    seen.add(`${where.host} ${where.login} ${token}`);
    const { kind, label } = describeToken(token);
    out.found({
      provider: COPILOT_PROVIDER,
      kind,
      label: `${label}${hostLabel(where.host)}`,
      secret: token,
      account: { userId: where.login },
      origin: { type: 'file', path, field: `authTokens.${key}.token` },
    });
    found++;
  }
  const users = (config.loggedInUsers ?? []).filter((u): u is { host: string; login: string } =>
    Boolean(u.login && u.host),
  );
  const keychain = keychainKind(ctx);
  if (!found && users.length && keychain) {
    // Logged in with the token in the OS keychain (service "copilot-cli", account
    // `<host>:<login>`), which the scan reads because it opted in.
    for (const u of users) {
      const account = `${u.host}:${u.login}`;
      const read = await keychainSecret(ctx, 'copilot-cli', account, 'username');
      const where = `keychain:${keychain}/copilot-cli`;
      if (read.status === 'unavailable') {
        out.checked(where, 'skipped', read.reason);
        break;
      }
      const token = read.status === 'ok' ? read.value?.trim() : undefined;
      if (!token) {
        out.checked(where, 'missing', `holds no token for ${u.login}`);
        continue;
      }
      const { kind, label } = describeToken(token);
      out.found({
        provider: COPILOT_PROVIDER,
        kind,
        label: `${label}${hostLabel(u.host)} (keychain)`,
        secret: token,
        account: { userId: u.login },
        origin: keychainOrigin(keychain, 'copilot-cli', account),
      });
      found++;
    }
  }
  if (!found && users.length) {
    // Logged in, but the token went to the OS keyring (the default where one is reachable).
    out.problem(
      path,
      CtdErrorCode.IN_OS_KEYRING,
      `names ${users.length} logged-in user(s) whose token is in the OS keyring (service "copilot-cli"), which this scan reads only when asked (--keychain)`,
      'info',
    );
    return;
  }
  out.checked(path, found ? 'found' : 'empty', found ? `${found} login(s)` : 'holds no login');
}

async function scanGhHosts(out: SourceCollector, ctx: ScanContext): Promise<void> {
  const path = join(ghConfigDir(ctx), 'hosts.yml');
  const text = await out.readText(path);
  if (text === undefined) return;
  const hosts = parseSimpleYaml(text);
  if (!hosts) {
    out.problem(path, CtdErrorCode.INVALID_SHAPE, 'is not a YAML mapping of hosts');
    return;
  }
  let found = 0;
  let inKeyring = 0;
  for (const [host, value] of Object.entries(hosts)) {
    if (typeof value !== 'object') continue;
    const user = typeof value.user === 'string' ? value.user : undefined;
    // gh >= 2.40 keeps one token per user under `users.<login>`, the active one also at the top.
    const tokens = new Map<string, string | undefined>();
    if (typeof value.oauth_token === 'string' && value.oauth_token.trim())
      tokens.set(value.oauth_token.trim(), user);
    const users = typeof value.users === 'object' ? value.users : {};
    for (const [login, u] of Object.entries(users)) {
      const t =
        typeof u === 'object' && typeof (u as YamlMap).oauth_token === 'string'
          ? ((u as YamlMap).oauth_token as string)
          : '';
      if (t.trim()) tokens.set(t.trim(), login);
      else inKeyring++;
    }
    if (!tokens.size && !Object.keys(users).length && user) inKeyring++;
    for (const [token, login] of tokens) {
      const { kind, label } = describeToken(token);
      out.found({
        provider: COPILOT_PROVIDER,
        kind,
        label: `${label} (GitHub CLI${host === 'github.com' ? '' : `, ${host}`})`,
        secret: token,
        account: login ? { userId: login } : undefined,
        origin: { type: 'file', path, field: `${host}.oauth_token` },
      });
      found++;
    }
  }
  if (!found && inKeyring) {
    out.problem(
      path,
      CtdErrorCode.IN_OS_KEYRING,
      'names GitHub CLI logins whose token is in the OS keyring (service "gh:github.com"), which this scan does not read',
      'info',
    );
    return;
  }
  out.checked(path, found ? 'found' : 'empty', found ? `${found} GitHub CLI token(s)` : 'holds no token');
}

/**
 * GitHub Copilot CLI (`@github/copilot`): the plaintext login store `$COPILOT_HOME/config.json`
 * (default `~/.copilot`; JSONC, written when no keyring is reachable or `storeTokenPlaintext` is
 * set), `COPILOT_GITHUB_TOKEN`, `GH_TOKEN`, `GITHUB_TOKEN`, and the GitHub CLI's `hosts.yml`,
 * which Copilot falls back on. Formats checked against `@github/copilot` 1.0.102.
 */
export const githubCopilotCliAdapter: SourceAdapter = {
  id: COPILOT_SOURCE,
  displayName: 'GitHub Copilot CLI',
  aliases: ['copilot'],
  defaultPriority: 8,
  loginHint:
    'run `copilot login` (device code when headless), or `copilot login --with-token` with a fine-grained token',
  login: { command: 'copilot login', browserCommand: 'copilot login --device-code' },
  loginProvider: COPILOT_PROVIDER,
  providers: {
    [COPILOT_PROVIDER]: {
      keyPage: COPILOT_KEY_PAGE,
      loginPolicy: {
        stance: 'warn',
        requiresOptIn: true,
        note: 'GitHub Copilot logins are meant for Copilot clients; OpenClaw has a github-copilot provider, but use by other tools may breach the Copilot terms. Store format checked against @github/copilot 1.0.102.',
        asOf: '2026-12-01',
      },
    },
  },

  recognizePasted(token): PastedCandidate[] {
    const { kind, label } = describeToken(token.trim());
    return [{ provider: COPILOT_PROVIDER, kind, label: `${label} (pasted)` }];
  },

  files(ctx): StoreFile[] {
    return [{ path: join(copilotHome(ctx), 'config.json'), format: 'json', holdsSecrets: true }];
  },

  lockProtocol() {
    // The CLI rewrites config.json whole; its tokens are never refreshed, so there is nothing to share.
    return { kind: 'none' };
  },

  async withLock(_ctx, credential, fn) {
    return withInProcessLock(storePathOf(credential) ?? COPILOT_SOURCE, fn);
  },

  async scan(ctx) {
    const out = new SourceCollector(githubCopilotCliAdapter, ctx);
    await scanConfig(out, ctx);
    for (const variable of ENV_VARS) {
      const value = out.env(variable);
      if (!value) continue;
      const { kind, label } = describeToken(value);
      out.found({
        provider: COPILOT_PROVIDER,
        kind,
        label,
        secret: value,
        origin: { type: 'env', variable },
      });
      out.checked(`$${variable}`, 'found', 'set');
    }
    await scanGhHosts(out, ctx);
    return out.result();
  },
};
