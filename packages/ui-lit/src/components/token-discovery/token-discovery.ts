import type { CredentialStatus, GetHistoryOutput } from '@ctd/service/client';
import { ContextProvider } from '@lit/context';
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { tokenDiscoveryClientContext } from '../../context.ts';
import { TokenDiscoveryController } from '../../controller.ts';
import type { CtdRefreshRequestedEvent } from '../../events/refresh-requested.ts';
import { baseStyles } from '../../internal/styles.ts';
import { type DashboardClient, hasSettings, type SourceInfo } from '../../types.ts';
import type { CtdRefreshModal } from '../refresh-modal/refresh-modal.ts';
import styles from './token-discovery.styles.ts';

/**
 * @summary The whole Token Discovery page: scan button, token panel, refresh modal, usage
 * statistics and settings, over one client that it provides to the elements below it.
 *
 * @event ctd-scan-complete - bubbles up from the scan button.
 * @event ctd-imported - bubbles up from the refresh modal.
 * @event ctd-refreshed - bubbles up from the refresh modal.
 * @event ctd-settings-saved - bubbles up from the settings form.
 *
 * @slot header-end - extra controls beside the scan button.
 *
 * @csspart panel - the token panel.
 * @csspart usage - the usage charts.
 * @csspart settings - the settings form.
 *
 * @cssproperty --ctd-padding - padding around the page. @default 1rem
 * @cssproperty --ctd-bg - background (falls back on the host's `--card` / `--bg`).
 * @cssproperty --ctd-fg - text (falls back on the host's `--text`).
 */
export class CtdTokenDiscovery extends LitElement {
  static override styles = [baseStyles, styles];
  static override properties = {
    client: { attribute: false },
    readOnly: { type: Boolean, attribute: 'read-only', reflect: true },
    pollMs: { type: Number, attribute: 'poll-ms' },
    subscribe: { attribute: false },
    sources: { attribute: false },
    heading: {},
    _records: { state: true },
    _charted: { state: true },
  };

  /** The client behind every element of the page. */
  declare client: DashboardClient | undefined;
  /** Show everything without the buttons that change something (an operator without `operator.write`). */
  declare readOnly: boolean;
  /** Reload the status this often (ms) when the host has no live events. @default 0 */
  declare pollMs: number;
  /** Live updates: called with a callback to run on each event; returns the unsubscribe function. */
  declare subscribe: ((onChange: () => void) => () => void) | undefined;
  /** The sources looked for (named in the empty state); from the settings when unset. */
  declare sources: readonly SourceInfo[];
  /** The page's heading. @default 'Token Discovery' */
  declare heading: string;

  declare _records: GetHistoryOutput['records'];
  /** The credentials the usage charts show: the status's, one frame after the table shows them. */
  declare _charted: readonly CredentialStatus[] | null;

  /** The page's data: status, scan state. */
  readonly data: TokenDiscoveryController;
  readonly #provider = new ContextProvider(this, { context: tokenDiscoveryClientContext });
  #settingsSources: readonly SourceInfo[] = [];

  constructor() {
    super();
    this.client = undefined;
    this.readOnly = false;
    this.pollMs = 0;
    this.subscribe = undefined;
    this.sources = [];
    this.heading = 'Token Discovery';
    this._records = [];
    this._charted = null;
    this.data = new TokenDiscoveryController(this, {
      useContext: false,
      subscribe: (onChange) => this.subscribe?.(onChange) ?? (() => {}),
    });
  }

  #poll: ReturnType<typeof setInterval> | undefined;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this.data.status) this._charted = null;
    if (changed.has('client')) {
      this.#provider.setValue(this.client);
      this.data.setClient(this.client);
      if (this.client) void this.#loadSources();
    }
    if (changed.has('pollMs')) {
      if (this.#poll !== undefined) clearInterval(this.#poll);
      this.#poll = this.pollMs > 0 ? setInterval(() => void this.data.reload(), this.pollMs) : undefined;
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    void changed;
    const status = this.data.status;
    if (status && status.credentials !== this.#chartPending) {
      // The charts (below the table, off screen with many credentials) follow once the table is
      // painted: the credentials come first.
      const credentials = status.credentials;
      this.#chartPending = credentials;
      let done = false;
      const show = () => {
        if (done) return;
        done = true;
        if (this.#chartPending === credentials) this._charted = credentials;
      };
      requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(show, 0)));
      setTimeout(show, 250); // no animation frames in a hidden tab
    }
    if (status && status !== this.#historyFor) {
      this.#historyFor = status;
      void this.#loadHistory();
    }
  }

  #historyFor: unknown = null;
  #chartPending: unknown = null;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.#poll !== undefined) clearInterval(this.#poll);
    this.#poll = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.pollMs > 0 && this.#poll === undefined) {
      this.#poll = setInterval(() => void this.data.reload(), this.pollMs);
    }
  }

  async #loadHistory(): Promise<void> {
    const client = this.client;
    if (!client || !this.data.status?.credentials.some((c) => c.usage.count > 0)) return;
    try {
      this._records = (await client.getHistory({})).records;
    } catch {
      // No history yet (or none kept): the charts fall back on the status's totals.
    }
  }

  async #loadSources(): Promise<void> {
    const client = this.client;
    if (!client || !hasSettings(client)) return;
    try {
      this.#settingsSources = (await client.getConfig()).sources ?? [];
      this.requestUpdate();
    } catch {
      // The settings form shows the failure itself.
    }
  }

  #openRefresh = (e: CtdRefreshRequestedEvent): void => {
    const credential = this.data.status?.credentials.find((c) => c.id === e.detail.credentialId);
    const modal = this.renderRoot.querySelector<CtdRefreshModal>('ctd-refresh-modal');
    if (credential && modal && !this.readOnly) modal.show(credential);
  };

  #reload = (): void => {
    void this.data.reload();
  };

  protected override render(): TemplateResult {
    const status = this.data.status;
    const credentials = status?.credentials ?? null;
    const summary = status
      ? `${status.credentials.length} credentials · rotation: ${status.rotationStrategy} · import ${status.importEnabled ? 'on' : 'off'}${status.lastScan ? ` · last scan ${new Date(status.lastScan.scannedAt).toLocaleString()}` : ''}`
      : '';
    const settings = this.client && hasSettings(this.client);
    return html`<header>
        <div>
          <h2>${this.heading}</h2>
          <p class="summary muted">${summary}</p>
        </div>
        <div>
          ${this.readOnly ? nothing : html`<ctd-scan-button @ctd-scan-complete=${this.#reload}></ctd-scan-button>`}
          <slot name="header-end"></slot>
        </div>
      </header>
      <section aria-label="Credentials">
        <ctd-token-panel
          part="panel"
          .credentials=${credentials}
          .error=${this.data.error}
          .loading=${this.data.loading}
          .readOnly=${this.readOnly}
          .sources=${this.sources.length ? this.sources : this.#settingsSources}
          @ctd-refresh-requested=${this.#openRefresh}
          @ctd-retry=${this.#reload}
        ></ctd-token-panel>
      </section>
      ${this.readOnly ? nothing : html`<ctd-refresh-modal @ctd-imported=${this.#reload} @ctd-refreshed=${this.#reload}></ctd-refresh-modal>`}
      <section aria-labelledby="usage-h">
        <h3 id="usage-h">Usage statistics</h3>
        ${
          // Drawn once the status is known (before it, "no usage yet" would be wrong), and then
          // far below the 200 rows: content-visibility skips its layout until it is scrolled to.
          this._charted
            ? html`<ctd-usage-chart part="usage" .credentials=${this._charted} .records=${this._records}></ctd-usage-chart>`
            : html`<p class="muted">Loading…</p>`
        }
      </section>
      ${
        settings
          ? html`<section aria-labelledby="settings-h">
              <h3 id="settings-h">Settings</h3>
              <ctd-settings-form part="settings" .readOnly=${this.readOnly}></ctd-settings-form>
            </section>`
          : nothing
      }`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ctd-token-discovery': CtdTokenDiscovery;
  }
}
