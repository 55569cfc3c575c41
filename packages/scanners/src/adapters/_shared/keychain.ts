// Read-only access to the OS keychains where CLIs keep logins: the Secret Service on Linux
// (through `secret-tool` from libsecret-tools) and the login keychain on macOS (through
// `security`). Only when the scan opts in (`scanKeychains`), because either may ask the user to
// unlock a keyring or to allow access. Nothing is ever written, and a missing tool, a locked
// keyring or a slow daemon is a note, never a failure of the scan.
import { execFile } from 'node:child_process';
import type { Origin } from '@ctd/core';
import type { ScanContext } from '../../types.ts';

/** How long one keychain command may take before it is given up (a daemon that hangs). */
const KEYCHAIN_TIMEOUT_MS = 10_000;

/** What a keychain read gave: the items, or why there are none. */
export type KeychainRead<T> =
  | { readonly status: 'ok'; readonly value: T }
  | { readonly status: 'off' }
  | { readonly status: 'unavailable'; readonly reason: string };

/** Which keychain this scan reads: none unless it opted in, else the platform's. */
export function keychainKind(ctx: ScanContext): 'secret-service' | 'macos' | undefined {
  if (!ctx.scanKeychains) return undefined;
  const platform = ctx.platform ?? process.platform;
  if (platform === 'darwin') return 'macos';
  if (platform === 'linux') return 'secret-service';
  return undefined;
}

/** The environment a keychain tool runs with: the scan's, so a test's D-Bus session is used. */
function toolEnv(ctx: ScanContext): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'USER', 'LANG', 'DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR']) {
    const v = ctx.env[name];
    if (v !== undefined) env[name] = v;
  }
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  return env;
}

function run(
  ctx: ScanContext,
  command: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; missing: boolean; timedOut: boolean }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { env: toolEnv(ctx), timeout: KEYCHAIN_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({
          code,
          stdout: String(stdout),
          missing: (error as NodeJS.ErrnoException | null)?.code === 'ENOENT',
          timedOut: Boolean(error && (error as { killed?: boolean }).killed),
        });
      },
    );
  });
}

/**
 * A Secret Service secret by attributes (`secret-tool lookup service <service> <attr> <value>`),
 * or undefined when no item matches. libsecret may ask to unlock a locked collection, which is why
 * the scan reads keychains only when asked.
 *
 * @param ctx - the scan's context (its `DBUS_SESSION_BUS_ADDRESS` names the session)
 * @param service - the `service` attribute
 * @param attribute - the account attribute's name
 * @param value - the account
 */
export async function secretServiceLookup(
  ctx: ScanContext,
  service: string,
  attribute: string,
  value: string,
): Promise<KeychainRead<string | undefined>> {
  if (keychainKind(ctx) !== 'secret-service') return { status: 'off' };
  if (!ctx.env.DBUS_SESSION_BUS_ADDRESS?.trim()) {
    return {
      status: 'unavailable',
      reason: 'no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set), so no Secret Service',
    };
  }
  const r = await run(ctx, 'secret-tool', ['lookup', 'service', service, attribute, value]);
  if (r.missing)
    return { status: 'unavailable', reason: 'secret-tool is not installed (Debian: libsecret-tools)' };
  if (r.timedOut) return { status: 'unavailable', reason: 'the Secret Service did not answer in time' };
  // secret-tool exits 1 with no output when nothing matches (or the bus has no Secret Service).
  if (r.code !== 0) return { status: 'ok', value: undefined };
  return { status: 'ok', value: r.stdout.replace(/\n$/, '') || undefined };
}

/**
 * A generic password of the macOS login keychain (`security find-generic-password -s <service>
 * [-a <account>] -w`), or undefined when there is none. macOS may ask the user to allow access:
 * hence the opt-in.
 *
 * @param ctx - the scan's context (its `PATH` finds `security`)
 * @param service - the item's service (`-s`)
 * @param account - the item's account (`-a`), when the CLI sets one
 */
export async function macKeychainPassword(
  ctx: ScanContext,
  service: string,
  account?: string,
): Promise<KeychainRead<string | undefined>> {
  if (keychainKind(ctx) !== 'macos') return { status: 'off' };
  const args = ['find-generic-password', '-s', service, ...(account ? ['-a', account] : []), '-w'];
  const r = await run(ctx, 'security', args);
  if (r.missing) return { status: 'unavailable', reason: 'the security command is not on PATH' };
  if (r.timedOut) return { status: 'unavailable', reason: 'security did not answer in time' };
  // 44: errSecItemNotFound; anything else: denied or locked.
  if (r.code === 44) return { status: 'ok', value: undefined };
  if (r.code !== 0)
    return {
      status: 'unavailable',
      reason: 'security could not read the keychain (locked, or access denied)',
    };
  const value = r.stdout.replace(/\n$/, '');
  return { status: 'ok', value: value || undefined };
}

/**
 * The origin of a keychain item: a `keychain:` pseudo path naming the service, and the account.
 * It names no file, so no refresh or write-back is ever aimed at it (ctd never writes a keychain).
 *
 * @param kind - which keychain
 * @param service - the item's service
 * @param account - the item's account
 */
export function keychainOrigin(kind: 'secret-service' | 'macos', service: string, account: string): Origin {
  return { type: 'file', path: `keychain:${kind}/${service}`, field: `keychain:${account}` };
}

/**
 * One keychain secret by service and account, from whichever keychain the scan reads: the Secret
 * Service item whose `service` attribute and account attribute match (libsecret clients such as
 * keytar name it `account`, Rust's keyring crate `username`), or the macOS generic password.
 *
 * @param ctx - the scan's context
 * @param service - the service
 * @param account - the account
 * @param accountAttribute - the Secret Service attribute holding the account
 */
export async function keychainSecret(
  ctx: ScanContext,
  service: string,
  account: string,
  accountAttribute: 'account' | 'username' = 'account',
): Promise<KeychainRead<string | undefined>> {
  const kind = keychainKind(ctx);
  if (kind === 'macos') return macKeychainPassword(ctx, service, account);
  if (kind !== 'secret-service') return { status: 'off' };
  return secretServiceLookup(ctx, service, accountAttribute, account);
}
