import { type SourceId, toCtdError } from '@ctd/core';
// The refresher (its expiry monitor and store watcher) is loaded when a background starts: a
// command that imports the service for a scan loads none of it.
import type {
  CredentialWatcher,
  ExpiryAlert,
  ExpiryAssessment,
  ExpiryInput,
  RefreshOutcome,
  RefreshScheduler,
} from '@ctd/refresher';
import type { SourceAdapter } from '@ctd/scanners';
import { sourceConfig } from './config.ts';
import type { CredentialView, ScanOutput } from './schemas.ts';
import type { TokenDiscoveryService } from './service.ts';

/** What the background work reports (secret-free). */
export type BackgroundEvent =
  /** A store changed on disk and its source was scanned, checked, imported and recorded again. */
  | {
      readonly type: 'reimported';
      readonly source: SourceId;
      readonly paths: readonly string[];
      /** From the first file event to the end of the re-import (ms). */
      readonly latencyMs: number;
      readonly found: number;
      readonly imported: number;
    }
  /** A login was refreshed (by the scheduler, or another process refreshed it first). */
  | { readonly type: 'refreshed'; readonly outcome: RefreshOutcome }
  /** A login's refresh token is dead: the user must log in again (see `outcome.relogin`). */
  | { readonly type: 'needs_login'; readonly outcome: RefreshOutcome }
  /** A credential became expiring, expired, invalid or in need of a login (once per credential, secret and state). */
  | { readonly type: 'expiry'; readonly alert: ExpiryAlert }
  /** Something failed in the background (a rescan, the watcher); the work goes on. */
  | { readonly type: 'error'; readonly code: string; readonly message: string };

/** Options of {@link startBackground}. */
export interface BackgroundOptions {
  /** HOME and the CLIs' overrides, for the watcher (the service's own environment). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The adapters whose files are watched. @default the service's built-in list */
  readonly adapters?: readonly SourceAdapter[] | undefined;
  /** Watch the stores. @default `config.watch` */
  readonly watch?: boolean | undefined;
  /** Refresh OAuth logins at their CLI's moment. @default `config.autoRefresh` */
  readonly autoRefresh?: boolean | undefined;
  /** Gets every event. */
  readonly onEvent?: ((event: BackgroundEvent) => void) | undefined;
  /** Debounce of the watcher (ms). */
  readonly debounceMs?: number | undefined;
  /** Keep the process alive while watching (a `watch` command). @default false */
  readonly persistent?: boolean | undefined;
  /** Check a changed store's credentials with their providers. @default `config.validateTokens` */
  readonly validate?: boolean | undefined;
}

/** The running background work of a service. */
export interface Background {
  /** Whether the stores are watched. */
  readonly watching: boolean;
  /** Whether logins are refreshed automatically. */
  readonly refreshing: boolean;
  /** The expiry of every credential of the last scan. */
  expiry(): ExpiryAssessment[];
  /** Stops watching, refreshing and monitoring. */
  stop(): Promise<void>;
}

/** The expiry input of a credential of a scan (its check, whether it needs a login). */
export function expiryInput(view: CredentialView, needsLogin: boolean): ExpiryInput {
  return {
    credential: view,
    ...(view.validation ? { validationStatus: view.validation.status } : {}),
    needsLogin,
  };
}

/**
 * Starts what keeps a service's logins alive without anyone asking: the watcher on every
 * enabled CLI's files (a change rescans that source: check, import, record), the refresh
 * scheduler (`keepAlive`, each login at its CLI's moment, the gateway profile updated), and the
 * expiry monitor (an alert once per credential, secret and state). Every scan of the service
 * feeds the scheduler and the monitor. Start it after the host is ready; it never scans by
 * itself at start (the caller's startup scan feeds it).
 *
 * @param service - the service whose scans feed the work
 * @param options - environment, switches (default from the config), event callback
 */
export async function startBackground(
  service: TokenDiscoveryService,
  options: BackgroundOptions,
): Promise<Background> {
  // Before anything is awaited: a scan the caller starts right after this call is seen (kept
  // until the expiry monitor exists, then fed to it).
  let early: ScanOutput | undefined;
  let onScanOutput = (output: ScanOutput) => {
    early = output;
  };
  const offScan = service.onScan((output) => onScanOutput(output));
  const { CredentialWatcher, ExpiryMonitor } = await import('@ctd/refresher');
  const config = service.config;
  const emit = (event: BackgroundEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A listener's failure is its own.
    }
  };
  const fail = (error: unknown) => {
    const e = toCtdError(error);
    emit({ type: 'error', code: e.code, message: e.message });
  };
  /** Credentials (id:hash) whose refresh token was found dead. */
  const dead = new Set<string>();
  const monitor = new ExpiryMonitor({
    warningMs: config.expiryWarningHours * 3_600_000,
    onAlert: (alert) => emit({ type: 'expiry', alert }),
  });
  let last: readonly CredentialView[] = [];
  let history: Awaited<ReturnType<TokenDiscoveryService['history']>>;
  const needsLogin = (v: CredentialView) =>
    dead.has(`${v.id}:${v.hash}`) || (history?.get(v.id)?.statusReason?.startsWith('needs login') ?? false);
  const feed = (output: ScanOutput) => {
    last = output.credentials;
    monitor.set(last.map((v) => expiryInput(v, needsLogin(v))));
  };
  onScanOutput = feed;
  if (early) feed(early);
  history = await service.history().catch(() => undefined);

  const autoRefresh = options.autoRefresh ?? config.autoRefresh;
  let scheduler: RefreshScheduler | undefined;
  const offRefresher: (() => void)[] = [];
  if (autoRefresh) {
    scheduler = await service.keepAlive({ aheadMs: config.refreshAheadMinutes * 60_000 });
    const refresher = await service.refresher();
    offRefresher.push(
      refresher.on('refreshed', (e) => emit({ type: 'refreshed', outcome: e.outcome })),
      refresher.on('needs_login', (e) => {
        dead.add(`${e.outcome.credentialId}:${e.outcome.hash ?? ''}`);
        emit({ type: 'needs_login', outcome: e.outcome });
        monitor.set(last.map((v) => expiryInput(v, needsLogin(v))));
      }),
    );
  }

  const watch = options.watch ?? config.watch;
  let watcher: CredentialWatcher | undefined;
  if (watch) {
    const enabled = (options.adapters ?? []).length
      ? (options.adapters as readonly SourceAdapter[])
      : undefined;
    const sources = (enabled ?? (await import('@ctd/scanners')).ALL_ADAPTERS)
      .map((a) => a.id)
      .filter((s) => sourceConfig(config, s).enabled);
    watcher = new CredentialWatcher({
      env: options.env,
      adapters: enabled,
      sources,
      debounceMs: options.debounceMs,
      persistent: options.persistent,
      onError: fail,
      onChange: async (change) => {
        try {
          const out = await service.rescan(
            [change.source],
            options.validate === undefined ? {} : { validate: options.validate },
          );
          emit({
            type: 'reimported',
            source: change.source,
            paths: change.paths,
            latencyMs: Date.now() - change.firstEventAt,
            found: out.summary.found,
            imported: out.summary.imported + out.summary.unchanged,
          });
        } catch (error) {
          fail(error);
        }
      },
    });
    await watcher.start();
  }

  return {
    watching: watcher !== undefined,
    refreshing: scheduler !== undefined,
    expiry: () => monitor.list(),
    async stop() {
      offScan();
      for (const off of offRefresher) off();
      monitor.stop();
      scheduler?.stop();
      await watcher?.close();
    },
  };
}
