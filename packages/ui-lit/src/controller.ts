import type { ScanInput, ScanOutput, StatusOutput } from '@ctd/service/client';
import { ContextConsumer } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { tokenDiscoveryClientContext } from './context.ts';
import { type ShownError, toShownError } from './internal/errors.ts';
import type { DashboardClient } from './types.ts';

/** Options of {@link TokenDiscoveryController}. */
export interface TokenDiscoveryControllerOptions {
  /** The client; without it the controller takes the one provided by {@link tokenDiscoveryClientContext}. */
  client?: DashboardClient | undefined;
  /**
   * Reload the status every this many ms while the host is connected (a modest poll for hosts
   * without events). `0` turns polling off. @default 0
   */
  pollMs?: number | undefined;
  /**
   * Subscribes to live updates (a gateway event such as "scan finished"); the controller reloads the
   * status on each call of `onChange`. Returns the unsubscribe function.
   */
  subscribe?: ((onChange: () => void) => () => void) | undefined;
  /**
   * Take the client from {@link tokenDiscoveryClientContext} when none is given. Off for the
   * element that provides the context itself (it calls {@link TokenDiscoveryController.setClient}).
   * @default true
   */
  useContext?: boolean | undefined;
}

/**
 * Loads and holds the dashboard's data from any {@link DashboardClient}: one `status` call for
 * every credential, `scan` with progress, and reloads after changes. Updates its host when
 * anything changes (batched in a microtask).
 *
 * @example
 * class MyPanel extends LitElement {
 *   readonly data = new TokenDiscoveryController(this, { client });
 *   override render() {
 *     return html`${this.data.status?.credentials.length ?? 0} credentials`;
 *   }
 * }
 */
export class TokenDiscoveryController implements ReactiveController {
  /** The last status answer, or null before the first one. */
  status: StatusOutput | null = null;
  /** The failure of the last status call, or null. */
  error: ShownError | null = null;
  /** True while a status call is in flight. */
  loading = false;
  /** True while a scan started here is running. */
  scanning = false;
  /** The last scan started here, or null. */
  lastScan: ScanOutput | null = null;
  /** The failure of the last scan started here, or null. */
  scanError: ShownError | null = null;
  /** When the last status answer arrived (`performance.now()`), for measurements. */
  statusArrivedAt = 0;

  readonly #host: ReactiveControllerHost;
  readonly #options: TokenDiscoveryControllerOptions;
  #client: DashboardClient | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #unsubscribe: (() => void) | undefined;
  #updatePending = false;
  #generation = 0;

  /**
   * @param host - the element that shows the data
   * @param options - the client (else from context), polling and live updates
   */
  constructor(host: ReactiveControllerHost & HTMLElement, options: TokenDiscoveryControllerOptions = {}) {
    this.#host = host;
    this.#options = options;
    this.#client = options.client;
    if (!options.client && options.useContext !== false) {
      new ContextConsumer(host, {
        context: tokenDiscoveryClientContext,
        subscribe: true,
        callback: (client) => {
          this.#client = client;
          if (host.isConnected) void this.reload();
        },
      });
    }
    host.addController(this);
  }

  /** The client in use (explicit or from context), if any yet. */
  get client(): DashboardClient | undefined {
    return this.#client;
  }

  /** Replaces the client and reloads. */
  setClient(client: DashboardClient | undefined): void {
    this.#client = client;
    this.status = null;
    this.#requestUpdate();
    if (client) void this.reload();
  }

  hostConnected(): void {
    if (this.#client) void this.reload();
    const poll = this.#options.pollMs ?? 0;
    if (poll > 0) this.#timer = setInterval(() => void this.reload(), poll);
    this.#unsubscribe = this.#options.subscribe?.(() => void this.reload());
  }

  hostDisconnected(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /** Loads the status (every known credential) again. A newer call wins over an older one. */
  async reload(): Promise<void> {
    const client = this.#client;
    if (!client) return;
    const generation = ++this.#generation;
    this.loading = true;
    this.#requestUpdate();
    try {
      const status = await client.status({});
      if (generation !== this.#generation) return;
      this.status = status;
      this.statusArrivedAt = performance.now();
      this.error = null;
    } catch (error) {
      if (generation !== this.#generation) return;
      this.error = toShownError(error);
    } finally {
      if (generation === this.#generation) {
        this.loading = false;
        this.#requestUpdate();
      }
    }
  }

  /**
   * Runs a scan, then reloads the status. Resolves with the scan's answer, or null when it failed
   * (then `scanError` says why). A second call while one runs joins the first.
   */
  async scan(input: ScanInput = {}): Promise<ScanOutput | null> {
    const client = this.#client;
    if (!client) return null;
    if (this.#scanning) return this.#scanning;
    this.scanning = true;
    this.scanError = null;
    this.#requestUpdate();
    this.#scanning = (async () => {
      try {
        this.lastScan = await client.scan(input);
        return this.lastScan;
      } catch (error) {
        this.scanError = toShownError(error);
        return null;
      } finally {
        this.scanning = false;
        this.#scanning = undefined;
        this.#requestUpdate();
        await this.reload();
      }
    })();
    return this.#scanning;
  }

  #scanning: Promise<ScanOutput | null> | undefined;

  #requestUpdate(): void {
    if (this.#updatePending) return;
    this.#updatePending = true;
    queueMicrotask(() => {
      this.#updatePending = false;
      this.#host.requestUpdate();
    });
  }
}
