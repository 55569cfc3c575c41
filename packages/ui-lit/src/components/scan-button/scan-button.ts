import type { ScanOutput } from '@ctd/service/client';
import { ContextConsumer } from '@lit/context';
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { tokenDiscoveryClientContext } from '../../context.ts';
import { CtdScanCompleteEvent } from '../../events/scan-complete.ts';
import { type ShownError, toShownError } from '../../internal/errors.ts';
import { baseStyles } from '../../internal/styles.ts';
import type { DashboardClient } from '../../types.ts';
import styles from './scan-button.styles.ts';

/**
 * @summary "Scan now": runs a scan through the client, shows its progress (elapsed time) and
 * then what it found.
 *
 * @event ctd-scan-complete - the scan finished (`detail.summary`) or failed (`detail.error`).
 *
 * @csspart button - the button.
 * @csspart progress - the progress bar shown while scanning.
 *
 * @cssproperty --ctd-accent - the button's colour.
 */
export class CtdScanButton extends LitElement {
  static override styles = [baseStyles, styles];
  static override properties = {
    client: { attribute: false },
    validate: { type: Boolean },
    _scanning: { state: true },
    _elapsed: { state: true },
    _summary: { state: true },
    _error: { state: true },
  };

  /** The client; without it, the one provided by the context. */
  declare client: DashboardClient | undefined;
  /** Check each credential with its provider (the service's default when unset). */
  declare validate: boolean | undefined;

  declare _scanning: boolean;
  declare _elapsed: number;
  declare _summary: ScanOutput['summary'] | null;
  declare _error: ShownError | null;

  #contextClient: DashboardClient | undefined;

  constructor() {
    super();
    this.client = undefined;
    this.validate = undefined;
    this._scanning = false;
    this._elapsed = 0;
    this._summary = null;
    this._error = null;
    new ContextConsumer(this, {
      context: tokenDiscoveryClientContext,
      subscribe: true,
      callback: (c) => {
        this.#contextClient = c;
      },
    });
  }

  /** Runs a scan (a second call while one runs does nothing). */
  async scan(): Promise<void> {
    const client = this.client ?? this.#contextClient;
    if (!client || this._scanning) return;
    this._scanning = true;
    this._summary = null;
    this._error = null;
    this._elapsed = 0;
    const started = performance.now();
    const timer = setInterval(() => (this._elapsed = Math.round((performance.now() - started) / 1000)), 1000);
    try {
      const out = await client.scan(this.validate === undefined ? {} : { validate: this.validate });
      this._summary = out.summary;
      this.dispatchEvent(new CtdScanCompleteEvent({ summary: out.summary, error: null }));
    } catch (error) {
      this._error = toShownError(error);
      this.dispatchEvent(new CtdScanCompleteEvent({ summary: null, error: this._error }));
    } finally {
      clearInterval(timer);
      this._scanning = false;
    }
  }

  protected override render(): TemplateResult {
    const s = this._summary;
    return html`<button
        type="button"
        class="primary"
        part="button"
        ?disabled=${this._scanning}
        aria-busy=${this._scanning ? 'true' : 'false'}
        @click=${() => void this.scan()}
      >
        ${this._scanning ? 'Scanning…' : 'Scan now'}
      </button>
      ${this._scanning ? html`<progress part="progress" aria-label="Scan in progress"></progress>` : nothing}
      <span class="status" role="status" aria-live="polite"
        >${
          this._scanning
            ? `Scanning the CLI stores${this._elapsed ? ` (${this._elapsed} s)` : ''}…`
            : s
              ? `Found ${s.found}, ${s.valid} valid, ${s.imported} imported.`
              : ''
        }${this._error ? html`<span class="error">Scan failed [${this._error.code}]: ${this._error.message}</span>` : nothing}</span
      >`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ctd-scan-button': CtdScanButton;
  }
}
