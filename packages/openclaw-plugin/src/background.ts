import { toCtdError } from '@ctd/core';
import {
  type Background,
  type BackgroundEvent,
  startBackground,
  type TokenDiscoveryService,
} from '@ctd/service';
import type { PluginLogger } from './host-types.ts';
import { PLUGIN_ID } from './manifest.ts';

const LOG_PREFIX = `[${PLUGIN_ID}]`;

/**
 * Gateway events this plugin emits (OpenClaw broadcasts each as `plugin.cli-token-discovery.<name>`
 * to operators with `operator.read`): `expiry` (a credential became expiring, expired, invalid or
 * in need of a login; once per credential, secret and state), `refreshed` (a login was refreshed
 * and its profile updated), `needs-login` (a refresh token is dead) and `reimported` (a store
 * changed on disk and was scanned again). Payloads are secret-free (ids, hashes, states, reasons).
 */
export const GATEWAY_EVENTS = ['expiry', 'refreshed', 'needs-login', 'reimported'] as const;

/** `ctx.gatewayEvents` of a plugin service in OpenClaw 2026.9.6 (absent in older hosts). */
export interface GatewayEvents {
  emit(
    event: string,
    payload: unknown,
    opts: { scope: 'operator.read' | 'operator.write' | 'operator.admin' },
  ): void;
}

/** What the keep-alive service needs from the host. */
export interface KeepAliveContext {
  readonly logger: PluginLogger;
  readonly gatewayEvents?: GatewayEvents | undefined;
}

/** The gateway event and the log line of one background event. */
export function describeEvent(e: BackgroundEvent): {
  name: string;
  payload: unknown;
  log: string;
  level: 'info' | 'warn';
} {
  switch (e.type) {
    case 'expiry':
      return {
        name: 'expiry',
        payload: e.alert,
        log: `${e.alert.source} ${e.alert.credentialId} is ${e.alert.state.replace('_', ' ')}: ${e.alert.reason}`,
        level: 'warn',
      };
    case 'refreshed':
      return {
        name: 'refreshed',
        payload: e.outcome,
        log: `${e.outcome.source} ${e.outcome.credentialId} ${e.outcome.status}${e.outcome.expiresAt ? `, expires ${e.outcome.expiresAt}` : ''}`,
        level: 'info',
      };
    case 'needs_login':
      return {
        name: 'needs-login',
        payload: e.outcome,
        log: `${e.outcome.source} ${e.outcome.credentialId} needs a new login: ${e.outcome.reason}`,
        level: 'warn',
      };
    case 'reimported':
      return {
        name: 'reimported',
        payload: e,
        log: `${e.source} store changed: scanned again in ${e.latencyMs} ms (${e.found} found, ${e.imported} imported)`,
        level: 'info',
      };
    case 'error':
      return { name: 'error', payload: e, log: `background [${e.code}]: ${e.message}`, level: 'warn' };
  }
}

/**
 * Starts the plugin's background work on the gateway (never delaying its start): the watcher on
 * the CLIs' files, the refresh scheduler and the expiry monitor (`startBackground` of
 * `@ctd/service`, switched by `watch` and `autoRefresh`). Every event goes to the gateway log and,
 * where the host offers it, to the dashboard as a gateway event. No browser is ever opened here.
 *
 * @returns a function that stops it
 */
export function startKeepAlive(
  service: TokenDiscoveryService,
  env: Readonly<Record<string, string | undefined>>,
  ctx: KeepAliveContext,
): () => Promise<void> {
  let background: Background | undefined;
  let stopped = false;
  const onEvent = (e: BackgroundEvent) => {
    const { name, payload, log, level } = describeEvent(e);
    ctx.logger[level](`${LOG_PREFIX} ${log}`);
    if (e.type === 'error') return;
    try {
      ctx.gatewayEvents?.emit(name, JSON.parse(JSON.stringify(payload)), { scope: 'operator.read' });
    } catch {
      // An older host, or one that stopped the service: the log line stands.
    }
  };
  // Not awaited by the caller: the gateway's readiness never waits for the watcher. Its first
  // (synchronous) step subscribes to the service's scans, so the startup scan that follows feeds it.
  const started = startBackground(service, { env, onEvent });
  const starting = (async () => {
    try {
      background = await started;
      if (stopped) await background.stop();
      else if (background.watching || background.refreshing) {
        ctx.logger.info(
          `${LOG_PREFIX} keeping logins alive: ${[background.watching ? 'watching the credential files' : '', background.refreshing ? 'refreshing OAuth logins when due' : ''].filter(Boolean).join(', ')}`,
        );
      }
    } catch (error) {
      const { code, message } = toCtdError(error);
      ctx.logger.error(`${LOG_PREFIX} background work did not start [${code}]: ${message}`);
    }
  })();
  return async () => {
    stopped = true;
    await starting;
    await background?.stop();
  };
}
