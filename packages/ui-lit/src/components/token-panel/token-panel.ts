import type { CredentialStatus } from '@ctd/service/client';
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { CtdRefreshRequestedEvent } from '../../events/refresh-requested.ts';
import { CtdRetryEvent } from '../../events/retry.ts';
import type { ShownError } from '../../internal/errors.ts';
import {
  accountOf,
  BADGE_LABEL,
  BADGE_ORDER,
  type BadgeKind,
  badgeOf,
  healthOf,
  needsRefresh,
  relativeTime,
  shortDuration,
} from '../../internal/format.ts';
import { escapeHtml } from '../../internal/markup.ts';
import { baseStyles } from '../../internal/styles.ts';
import type { SourceInfo } from '../../types.ts';
import badgeStyles from '../status-badge/status-badge.styles.ts';
import styles from './token-panel.styles.ts';

/** The columns the panel sorts by. */
export type TokenPanelSortKey = 'cli' | 'provider' | 'status' | 'usage' | 'lastUsed';

interface Row {
  readonly c: CredentialStatus;
  readonly badge: BadgeKind;
}

const SORT_LABEL: Readonly<Record<TokenPanelSortKey, string>> = {
  cli: 'CLI',
  provider: 'Provider',
  status: 'Status',
  usage: 'Uses',
  lastUsed: 'Last used',
};

/**
 * @summary Every known credential in one table: CLI, provider, account, masked preview, status
 * badge, imported profile, uses, last use, share of requests, health, cooldown and policy note;
 * sortable and filterable by CLI, provider and status, with an empty and an error state.
 *
 * @event ctd-refresh-requested - a credential's refresh button was pressed (`detail.credentialId`).
 * @event ctd-retry - the error state's retry button was pressed.
 *
 * @slot empty-help - extra help in the empty state (e.g. how to enable more sources).
 *
 * @csspart table - the table.
 * @csspart toolbar - the sort and filter controls.
 * @csspart refresh-button - each credential's refresh button.
 *
 * @cssproperty --ctd-bg - background.
 * @cssproperty --ctd-fg - text colour.
 * @cssproperty --ctd-muted - secondary text.
 * @cssproperty --ctd-border - lines and outlines.
 * @cssproperty --ctd-accent - buttons and focus ring.
 */
export class CtdTokenPanel extends LitElement {
  static override styles = [baseStyles, badgeStyles, styles];
  static override properties = {
    credentials: { attribute: false },
    error: { attribute: false },
    loading: { type: Boolean, reflect: true },
    readOnly: { type: Boolean, attribute: 'read-only', reflect: true },
    sources: { attribute: false },
    now: { type: Number },
    sortKey: { attribute: 'sort-key' },
    sortDescending: { type: Boolean, attribute: 'sort-descending' },
    filterCli: { attribute: 'filter-cli' },
    filterProvider: { attribute: 'filter-provider' },
    filterStatus: { attribute: 'filter-status' },
  };

  /** The credentials, as `status` answers them. `null` before the first answer. */
  declare credentials: readonly CredentialStatus[] | null;
  /** The failure of the last status call: shown with its code and a retry button. */
  declare error: ShownError | null;
  /** A status call is in flight. */
  declare loading: boolean;
  /** Hide every button that changes something (an operator without `operator.write`). */
  declare readOnly: boolean;
  /** The sources looked for, named in the empty state with how to log in. */
  declare sources: readonly SourceInfo[];
  /** The current time (epoch ms) for countdowns; `Date.now()` when unset. */
  declare now: number | undefined;
  /** Sort column. @default 'status' */
  declare sortKey: TokenPanelSortKey;
  /** Sort descending. */
  declare sortDescending: boolean;
  /** Show only this CLI (source id); empty for all. */
  declare filterCli: string;
  /** Show only this provider; empty for all. */
  declare filterProvider: string;
  /** Show only this status (badge kind); empty for all. */
  declare filterStatus: string;

  /** The rows shown, in order, as last rendered (`update` puts them in the body). */
  #shown: readonly Row[] = [];
  #shownNow = 0;
  #shownTotal = 0;
  /** Each credential's row element and the markup it was made from, reused while that is unchanged. */
  readonly #rowCache = new Map<string, { readonly html: string; readonly el: Element }>();

  constructor() {
    super();
    this.credentials = null;
    this.error = null;
    this.loading = false;
    this.readOnly = false;
    this.sources = [];
    this.now = undefined;
    this.sortKey = 'status';
    this.sortDescending = false;
    this.filterCli = '';
    this.filterProvider = '';
    this.filterStatus = '';
  }

  protected override render(): TemplateResult {
    if (this.error && !this.credentials?.length) return this.#renderError(this.error);
    if (this.credentials?.length === 0) return this.#renderEmpty();
    // While loading, the table's toolbar and header are already there (with a loading line): when
    // `status` answers, only the options and the rows are new.
    const loading = this.credentials === null;
    const now = this.now ?? Date.now();
    const all: Row[] = (this.credentials ?? []).map((c) => ({ c, badge: badgeOf(c, now) }));
    const rows = this.#sort(this.#filter(all));
    this.#shown = rows;
    this.#shownNow = now;
    this.#shownTotal = all.reduce((n, r) => n + r.c.usage.count, 0);
    return html`
      ${this.error ? html`<p class="error" role="alert">Could not reload [${this.error.code}]: ${this.error.message}</p>` : nothing}
      ${this.#renderToolbar(all)}
      <p class="visually-hidden" role="status">${loading ? '' : `${rows.length} of ${all.length} credentials shown`}</p>
      <div role="table" part="table" aria-label="Discovered credentials" aria-rowcount=${rows.length + 1} aria-busy=${loading ? 'true' : 'false'}>
        <div role="rowgroup" class="head">
          <div role="row" class="row">
            ${this.#th('cli')}${this.#th('provider')}
            <div role="columnheader">Account</div>
            <div role="columnheader">Key</div>
            ${this.#th('status')}
            <div role="columnheader">Imported as</div>
            ${this.#th('usage')}${this.#th('lastUsed')}
            <div role="columnheader">Share</div>
            <div role="columnheader">Health</div>
            <div role="columnheader">Cooldown until</div>
            <div role="columnheader">Policy</div>
            ${this.readOnly ? nothing : html`<div role="columnheader"><span class="visually-hidden">Actions</span></div>`}
          </div>
        </div>
        <div role="rowgroup" class="body" @click=${this.#onBodyClick}></div>
      </div>
      ${
        loading
          ? html`<p class="muted" role="status">Loading credentials…</p>`
          : rows.length === 0
            ? html`<p class="muted">No credential matches these filters.</p>`
            : nothing
      }
    `;
  }

  #th(key: TokenPanelSortKey): TemplateResult {
    const active = this.sortKey === key;
    const sort = active ? (this.sortDescending ? 'descending' : 'ascending') : 'none';
    return html`<div role="columnheader" aria-sort=${sort}>
      <button type="button" @click=${() => this.#sortBy(key)}>
        ${SORT_LABEL[key]}${active ? (this.sortDescending ? ' ▼' : ' ▲') : ''}
      </button>
    </div>`;
  }

  #sortBy(key: TokenPanelSortKey): void {
    if (this.sortKey === key) this.sortDescending = !this.sortDescending;
    else {
      this.sortKey = key;
      this.sortDescending = key === 'usage' || key === 'lastUsed';
    }
  }

  #renderToolbar(all: readonly Row[]): TemplateResult {
    const unique = (xs: string[]) => [...new Set(xs)].sort();
    const clis = unique(all.map((r) => r.c.source));
    const providers = unique(all.map((r) => r.c.provider));
    const statuses = BADGE_ORDER.filter((b) => all.some((r) => r.badge === b));
    const select = (
      id: string,
      label: string,
      value: string,
      options: readonly string[],
      set: (v: string) => void,
      name: (v: string) => string = (v) => v,
    ) => html`<div class="field">
      <label for=${id}>${label}</label>
      <select id=${id} .value=${value} @change=${(e: Event) => set((e.target as HTMLSelectElement).value)}>
        <option value="" ?selected=${value === ''}>All</option>
        ${options.map((o) => html`<option value=${o} ?selected=${value === o}>${name(o)}</option>`)}
      </select>
    </div>`;
    return html`<div class="toolbar" part="toolbar" role="group" aria-label="Sort and filter">
      ${select('filter-cli', 'CLI', this.filterCli, clis, (v) => (this.filterCli = v))}
      ${select('filter-provider', 'Provider', this.filterProvider, providers, (v) => (this.filterProvider = v))}
      ${select(
        'filter-status',
        'Status',
        this.filterStatus,
        statuses,
        (v) => (this.filterStatus = v),
        (v) => BADGE_LABEL[v as BadgeKind] ?? v,
      )}
      ${select(
        'sort-by',
        'Sort by',
        this.sortKey,
        Object.keys(SORT_LABEL),
        (v) => (this.sortKey = (v || 'status') as TokenPanelSortKey),
        (v) => SORT_LABEL[v as TokenPanelSortKey],
      )}
    </div>`;
  }

  #filter(rows: readonly Row[]): Row[] {
    return rows.filter(
      (r) =>
        (!this.filterCli || r.c.source === this.filterCli) &&
        (!this.filterProvider || r.c.provider === this.filterProvider) &&
        (!this.filterStatus || r.badge === this.filterStatus),
    );
  }

  #sort(rows: Row[]): Row[] {
    const dir = this.sortDescending ? -1 : 1;
    const key = this.sortKey;
    const value = (r: Row): string | number => {
      switch (key) {
        case 'cli':
          return r.c.source;
        case 'provider':
          return r.c.provider;
        case 'status':
          return BADGE_ORDER.indexOf(r.badge);
        case 'usage':
          return r.c.usage.count;
        case 'lastUsed':
          return r.c.usage.lastUsed ? Date.parse(r.c.usage.lastUsed) : 0;
      }
    };
    return rows.sort((a, b) => {
      const va = value(a);
      const vb = value(b);
      const cmp = va < vb ? -1 : va > vb ? 1 : a.c.id < b.c.id ? -1 : a.c.id > b.c.id ? 1 : 0;
      return cmp * dir;
    });
  }

  // The rows are not Lit templates: 200 rows of ~30 bindings each made the first render slow
  // (template instances, parts, marker nodes). Each row is escaped markup (internal/markup.ts);
  // all new rows are parsed in one go, and a row whose markup is unchanged keeps its element (and
  // its focus) across renders.
  protected override update(changed: PropertyValues<this>): void {
    super.update(changed);
    const body = this.renderRoot.querySelector('.body');
    if (body) this.#syncRows(body);
    else this.#shown = [];
  }

  #syncRows(body: Element): void {
    const root = this.renderRoot as ShadowRoot;
    const active = root.activeElement;
    const activeId = active && body.contains(active) ? (active as HTMLElement).dataset.id : undefined;
    const cache = this.#rowCache;
    const shown = this.#shown;
    const htmls = shown.map((r) => this.#rowMarkup(r, this.#shownNow, this.#shownTotal));
    const next: (Element | undefined)[] = shown.map((r, i) => {
      const hit = cache.get(r.c.id);
      return hit && hit.html === htmls[i] ? hit.el : undefined;
    });
    const fresh = next.flatMap((el, i) => (el ? [] : [i]));
    if (fresh.length === shown.length && body.firstChild === null) {
      // The first render (and any render where every row changed into an empty body): parsed in place.
      body.innerHTML = htmls.join('');
      let el = body.firstElementChild;
      shown.forEach((r, i) => {
        cache.set(r.c.id, { html: htmls[i]!, el: el! });
        el = el!.nextElementSibling;
      });
    } else {
      if (fresh.length) {
        const t = document.createElement('template');
        t.innerHTML = fresh.map((i) => htmls[i]).join('');
        const made = [...t.content.children];
        fresh.forEach((i, k) => {
          next[i] = made[k];
          cache.set(shown[i]!.c.id, { html: htmls[i]!, el: made[k]! });
        });
      }
      const keep = new Set(next);
      for (const el of [...body.children]) if (!keep.has(el)) el.remove();
      let cur = body.firstElementChild;
      for (const el of next as Element[]) {
        if (el === cur) cur = cur.nextElementSibling;
        else body.insertBefore(el, cur);
      }
    }
    const ids = new Set(this.credentials?.map((c) => c.id));
    for (const id of cache.keys()) if (!ids.has(id)) cache.delete(id);
    // A focused refresh button whose row was replaced: the focus moves to the new row's button.
    if (activeId !== undefined && !active!.isConnected) {
      body.querySelector<HTMLElement>(`[data-id="${CSS.escape(activeId)}"][part~="refresh-button"]`)?.focus();
    }
  }

  #onBodyClick = (e: Event): void => {
    const button = (e.target as Element).closest?.<HTMLElement>('[part~="refresh-button"]');
    const c = button && this.credentials?.find((x) => x.id === button.dataset.id);
    if (c && !this.readOnly) {
      this.dispatchEvent(new CtdRefreshRequestedEvent({ credentialId: c.id, source: c.source }));
    }
  };

  // One plain template literal per row (a tagged one per cell cost twice as much on a cold page):
  // every interpolated value goes through `e` (escapeHtml) or is one of the fixed strings here,
  // and every attribute is quoted.
  #rowMarkup({ c, badge }: Row, now: number, totalUses: number): string {
    const e = escapeHtml;
    const health = healthOf(c);
    const share = totalUses > 0 ? `${Math.round((c.usage.count / totalUses) * 100)} %` : '–';
    const cooling = c.cooldownUntil !== null && Date.parse(c.cooldownUntil) > now;
    const imported = c.import.profileId ?? (c.import.status === 'off' ? '–' : c.import.status);
    const label = c.label ?? c.kind ?? 'credential';
    const account = accountOf(c);
    const at = c.expiresAt ? Date.parse(c.expiresAt) : Number.NaN;
    const checkReason = c.lastCheck && badge !== 'valid' ? c.lastCheck.reason : '';
    const importReason = c.import.profileId ? '' : (c.import.reason ?? '');
    const left = badge === 'expiring' && Number.isFinite(at) ? ` in ${shortDuration(at - now)}` : '';
    const cause = cooling ? (c.cooldownCause ?? '') : '';
    const sub = (text: string) => (text ? `<span class="sub">${e(text)}</span>` : '');
    const titled = (text: string) => (text ? `<span class="sub" title="${e(text)}">${e(text)}</span>` : '');
    const policy = c.policy ? `${c.policy.note} (as of ${c.policy.asOf})` : '';
    const action =
      !this.readOnly && needsRefresh(badge)
        ? `<button type="button" part="refresh-button" data-id="${e(c.id)}" aria-label="${e(`Refresh ${c.source} ${label}${account ? ` (${account})` : ''}`)}">Refresh</button>`
        : '';
    return `<div role="row" class="row" data-id="${e(c.id)}" data-status="${badge}"><div role="cell" data-label="CLI">${e(c.source)}</div><div role="cell" data-label="Provider">${e(c.provider)}</div><div role="cell" data-label="Account">${e(account || '–')}${sub(label)}</div><div role="cell" data-label="Key"><code>${e(c.preview ?? '…')}</code></div><div role="cell" data-label="Status"><span part="badge" class="badge ${badge}">${BADGE_LABEL[badge]}${e(left)}</span>${titled(checkReason)}</div><div role="cell" data-label="Imported as">${e(imported)}${titled(importReason)}</div><div role="cell" data-label="Uses" class="num">${e(String(c.usage.count))}</div><div role="cell" data-label="Last used">${e(relativeTime(c.usage.lastUsed, now))}</div><div role="cell" data-label="Share" class="num">${share}</div><div role="cell" data-label="Health" class="num">${health.label}</div><div role="cell" data-label="Cooldown until">${e(cooling ? relativeTime(c.cooldownUntil, now) : '–')}${sub(cause)}</div><div role="cell" data-label="Policy"><span class="note policy-${e(c.policy?.stance ?? 'none')}" title="${e(policy)}">${e(c.policy?.note ?? '–')}</span></div>${this.readOnly ? '' : `<div role="cell" data-label="Actions">${action}</div>`}</div>`;
  }

  #renderEmpty(): TemplateResult {
    return html`<div class="state" role="status">
      <h3>No credentials found</h3>
      ${
        this.sources.length
          ? html`<p>Looked for the logins and keys of:</p>
              <ul>
                ${this.sources.map(
                  (s) =>
                    html`<li><strong>${s.displayName}</strong>${s.loginHint ? html`: <span class="muted">${s.loginHint}</span>` : nothing}</li>`,
                )}
              </ul>`
          : html`<p>No AI-CLI login or provider key was found on this machine.</p>`
      }
      <p>Log in with one of these CLIs (or set its API key), then scan again.</p>
      <slot name="empty-help"></slot>
    </div>`;
  }

  #renderError(error: ShownError): TemplateResult {
    return html`<div class="state" role="alert">
      <h3>Could not load the credentials</h3>
      <p><code>${error.code}</code>: ${error.message}</p>
      <button type="button" @click=${() => this.dispatchEvent(new CtdRetryEvent({}))}>Retry</button>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ctd-token-panel': CtdTokenPanel;
  }
}
