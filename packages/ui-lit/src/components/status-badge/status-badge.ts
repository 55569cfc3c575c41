import { html, LitElement, type PropertyValues, type TemplateResult } from 'lit';
import { BADGE_LABEL, type BadgeKind, shortDuration } from '../../internal/format.ts';
import { baseStyles } from '../../internal/styles.ts';
import styles from './status-badge.styles.ts';

/**
 * @summary A credential's status as a coloured badge with a text label; an expiring one counts down.
 *
 * @csspart badge - the badge.
 * @cssproperty --ctd-ok - colour of `valid`.
 * @cssproperty --ctd-warn - colour of `expiring`, `rate_limited`, `refreshable`.
 * @cssproperty --ctd-bad - colour of `expired`, `invalid`, `quota_exhausted`, `needs_login`, `no_access`.
 * @cssproperty --ctd-info - colour of `unknown`, `unchecked`.
 */
export class CtdStatusBadge extends LitElement {
  static override styles = [baseStyles, styles];
  static override properties = {
    status: { reflect: true },
    expiresAt: { attribute: 'expires-at' },
    now: { type: Number },
  };

  /** The badge kind (`valid`, `expiring`, `expired`, …). */
  declare status: BadgeKind;
  /** When the token expires (ISO 8601): an `expiring` badge counts down to it. */
  declare expiresAt: string | null;
  /** The current time (epoch ms); the badge ticks on its own when unset. */
  declare now: number | undefined;

  #timer: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.status = 'unchecked';
    this.expiresAt = null;
    this.now = undefined;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('status') || changed.has('now')) this.#tick();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stop();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#tick();
  }

  #tick(): void {
    const ticking = this.status === 'expiring' && this.now === undefined && this.isConnected;
    if (ticking && this.#timer === undefined) this.#timer = setInterval(() => this.requestUpdate(), 30_000);
    if (!ticking) this.#stop();
  }

  #stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  protected override render(): TemplateResult {
    return badgeTemplate(this.status, this.expiresAt, this.now ?? Date.now());
  }
}

/**
 * The badge's markup, for elements that show many badges (the token panel renders it inline
 * rather than one element per row: 200 rows render in a fraction of the time). Style it with
 * `status-badge.styles.ts`.
 */
export function badgeTemplate(status: BadgeKind, expiresAt: string | null, now: number): TemplateResult {
  const label = BADGE_LABEL[status] ?? BADGE_LABEL.unknown;
  const at = expiresAt ? Date.parse(expiresAt) : Number.NaN;
  const left = status === 'expiring' && Number.isFinite(at) ? ` in ${shortDuration(at - now)}` : '';
  return html`<span part="badge" class="badge ${status}">${label}${left}</span>`;
}

declare global {
  interface HTMLElementTagNameMap {
    'ctd-status-badge': CtdStatusBadge;
  }
}
