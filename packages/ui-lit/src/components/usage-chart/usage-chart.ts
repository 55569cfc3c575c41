import type { CredentialStatus, GetHistoryOutput } from '@ctd/service/client';
import { html, LitElement, nothing, svg, type TemplateResult } from 'lit';
import { baseStyles } from '../../internal/styles.ts';
import type { UsageBucket, UsageEvent } from '../../types.ts';
import styles from './usage-chart.styles.ts';

type HistoryRecord = GetHistoryOutput['records'][number];

const SERIES = 6;
const W = 320;
const H = 140;
const PAD = { l: 30, r: 8, t: 8, b: 18 };

interface Series {
  readonly id: string;
  readonly name: string;
  readonly buckets: readonly UsageBucket[];
}

function bucketsOf(r: HistoryRecord | undefined): UsageBucket[] {
  const raw = (r as { buckets?: unknown } | undefined)?.buckets;
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (b): b is UsageBucket =>
      typeof b === 'object' && b !== null && typeof b.start === 'string' && typeof b.requests === 'number',
  );
}

function eventsOf(r: HistoryRecord): UsageEvent[] {
  const raw = (r as { events?: unknown }).events;
  if (!Array.isArray(raw)) return [];
  return raw
    .filter(
      (e): e is Omit<UsageEvent, 'credentialId'> => typeof e?.at === 'string' && typeof e?.type === 'string',
    )
    .map((e) => ({ ...e, credentialId: r.id }));
}

/**
 * @summary Usage statistics in plain SVG (no chart library: smaller, and every chart has a text
 * alternative): requests per credential over time with cooldowns and refreshes on the timeline,
 * success rate, tokens in and out, and the share of requests per rotation strategy. Without
 * per-request history, totals per credential.
 *
 * @csspart figure - each chart.
 *
 * @cssproperty --ctd-series-1 - colour of the first series (up to `--ctd-series-6`).
 */
export class CtdUsageChart extends LitElement {
  static override styles = [baseStyles, styles];
  static override properties = {
    credentials: { attribute: false },
    records: { attribute: false },
  };

  /** The credentials (from `status`): totals and names. */
  declare credentials: readonly CredentialStatus[];
  /** History records (from `getHistory`): `buckets` and `events` when the history keeps them. */
  declare records: readonly HistoryRecord[];

  constructor() {
    super();
    this.credentials = [];
    this.records = [];
  }

  #name(c: CredentialStatus): string {
    const who = c.account?.email ?? c.account?.accountId ?? c.preview ?? c.id;
    return `${c.source} · ${who}`;
  }

  protected override render(): TemplateResult {
    const used = [...this.credentials]
      .filter((c) => c.usage.count > 0)
      .sort((a, b) => b.usage.count - a.usage.count);
    if (used.length === 0) {
      return html`<p class="muted">No usage recorded yet: requests appear here once agents use the credentials.</p>`;
    }
    const byId = new Map(this.records.map((r) => [r.id, r]));
    const top = used.slice(0, SERIES - 1);
    const series: Series[] = top.map((c) => ({
      id: c.id,
      name: this.#name(c),
      buckets: bucketsOf(byId.get(c.id)),
    }));
    const rest = used.slice(SERIES - 1);
    if (rest.length) {
      series.push({
        id: '__rest',
        name: `${rest.length} others`,
        buckets: mergeBuckets(rest.map((c) => bucketsOf(byId.get(c.id)))),
      });
    }
    const hasTimeline = series.some((s) => s.buckets.length > 0);
    const events = this.records.flatMap(eventsOf);
    return html`<div class="grid">
      ${
        hasTimeline
          ? this.#timeline(series, events)
          : this.#bars(
              'Requests per credential',
              used.slice(0, 10).map((c) => [this.#name(c), c.usage.count]),
              (v) => String(v),
            )
      }
      ${this.#bars(
        'Success rate',
        used.slice(0, 10).map((c) => {
          const n = c.usage.successes + c.usage.failures;
          return [this.#name(c), n ? c.usage.successes / n : 0];
        }),
        (v) => `${Math.round(v * 100)} %`,
        1,
      )}
      ${hasTimeline ? this.#tokens(series) : nothing}
      ${hasTimeline ? this.#strategies(series) : nothing}
    </div>`;
  }

  #timeline(series: readonly Series[], events: readonly UsageEvent[]): TemplateResult {
    const times = [...new Set(series.flatMap((s) => s.buckets.map((b) => Date.parse(b.start))))].sort(
      (a, b) => a - b,
    );
    const t0 = times[0] ?? 0;
    const t1 = times[times.length - 1] ?? t0 + 1;
    const max = Math.max(1, ...series.flatMap((s) => s.buckets.map((b) => b.requests)));
    const x = (t: number) => PAD.l + ((t - t0) / Math.max(1, t1 - t0)) * (W - PAD.l - PAD.r);
    const y = (v: number) => H - PAD.b - (v / max) * (H - PAD.t - PAD.b);
    const total = series.reduce((n, s) => n + s.buckets.reduce((m, b) => m + b.requests, 0), 0);
    const label = `Requests over time from ${new Date(t0).toISOString().slice(0, 10)} to ${new Date(t1).toISOString().slice(0, 10)}: ${total} requests in all; ${events.length} cooldowns and refreshes marked.`;
    const ev = events.filter(
      (e) => Number.isFinite(Date.parse(e.at)) && Date.parse(e.at) >= t0 && Date.parse(e.at) <= t1,
    );
    return html`<figure part="figure">
      <figcaption>Requests per credential over time</figcaption>
      <svg viewBox="0 0 ${W} ${H}" role="img" aria-label=${label}>
        <line class="axis" x1=${PAD.l} y1=${H - PAD.b} x2=${W - PAD.r} y2=${H - PAD.b}></line>
        <line class="axis" x1=${PAD.l} y1=${PAD.t} x2=${PAD.l} y2=${H - PAD.b}></line>
        <text x=${PAD.l - 4} y=${PAD.t + 8} text-anchor="end">${max}</text>
        <text x=${PAD.l - 4} y=${H - PAD.b} text-anchor="end">0</text>
        <text x=${PAD.l} y=${H - 4}>${new Date(t0).toISOString().slice(5, 10)}</text>
        <text x=${W - PAD.r} y=${H - 4} text-anchor="end">${new Date(t1).toISOString().slice(5, 10)}</text>
        ${ev.map(
          (e) =>
            svg`<line class=${`ev-${e.type}`} x1=${x(Date.parse(e.at))} x2=${x(Date.parse(e.at))} y1=${PAD.t} y2=${H - PAD.b}><title>${e.type}${e.note ? `: ${e.note}` : ''}</title></line>`,
        )}
        ${series.map(
          (s, i) =>
            svg`<polyline class=${`s${i}`} points=${s.buckets
              .map((b) => `${x(Date.parse(b.start)).toFixed(1)},${y(b.requests).toFixed(1)}`)
              .join(' ')}></polyline>`,
        )}
      </svg>
      ${this.#legend(series.map((s) => s.name))}
      ${ev.length ? html`<p class="muted">Dashed: cooldowns; dotted: refreshes.</p>` : nothing}
    </figure>`;
  }

  #bars(
    title: string,
    rows: readonly (readonly [string, number])[],
    fmt: (v: number) => string,
    max = Math.max(1, ...rows.map((r) => r[1])),
  ): TemplateResult {
    const rowH = 18;
    const h = rows.length * rowH + 4;
    const label = `${title}: ${rows.map(([n, v]) => `${n} ${fmt(v)}`).join('; ')}`;
    return html`<figure part="figure">
      <figcaption>${title}</figcaption>
      <svg viewBox="0 0 ${W} ${h}" role="img" aria-label=${label}>
        ${rows.map(
          ([n, v], i) => svg`
            <text x="0" y=${i * rowH + 13}>${n.length > 26 ? `${n.slice(0, 25)}…` : n}</text>
            <rect class=${`s${i % SERIES}`} x="150" y=${i * rowH + 3} height="12" width=${Math.max(1, (v / max) * (W - 200))} rx="2"></rect>
            <text x=${154 + (v / max) * (W - 200)} y=${i * rowH + 13}>${fmt(v)}</text>`,
        )}
      </svg>
    </figure>`;
  }

  #tokens(series: readonly Series[]): TemplateResult | typeof nothing {
    const rows = series
      .map((s) => {
        const tin = s.buckets.reduce((n, b) => n + (b.tokensIn ?? 0), 0);
        const tout = s.buckets.reduce((n, b) => n + (b.tokensOut ?? 0), 0);
        return [s.name, tin, tout] as const;
      })
      .filter(([, a, b]) => a + b > 0);
    if (!rows.length) return nothing;
    return this.#bars(
      'Tokens in / out',
      rows.flatMap(([n, a, b]) => [[`in: ${n}`, a] as const, [`out: ${n}`, b] as const]),
      (v) => compact(v),
    );
  }

  #strategies(series: readonly Series[]): TemplateResult | typeof nothing {
    const share = new Map<string, number>();
    for (const s of series)
      for (const b of s.buckets)
        if (b.strategy) share.set(b.strategy, (share.get(b.strategy) ?? 0) + b.requests);
    if (!share.size) return nothing;
    const total = [...share.values()].reduce((a, b) => a + b, 0) || 1;
    return this.#bars(
      'Share of requests per strategy',
      [...share].map(([k, v]) => [k, v / total] as const),
      (v) => `${Math.round(v * 100)} %`,
      1,
    );
  }

  #legend(names: readonly string[]): TemplateResult {
    return html`<ul class="legend" aria-label="Legend">
      ${names.map((n, i) => html`<li class=${`c${i}`}><span>${n}</span></li>`)}
    </ul>`;
  }
}

function mergeBuckets(lists: readonly UsageBucket[][]): UsageBucket[] {
  const at = new Map<string, UsageBucket>();
  for (const list of lists) {
    for (const b of list) {
      const prev = at.get(b.start);
      at.set(
        b.start,
        prev
          ? {
              ...prev,
              requests: prev.requests + b.requests,
              tokensIn: (prev.tokensIn ?? 0) + (b.tokensIn ?? 0),
              tokensOut: (prev.tokensOut ?? 0) + (b.tokensOut ?? 0),
            }
          : { ...b },
      );
    }
  }
  return [...at.values()].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}

function compact(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}

declare global {
  interface HTMLElementTagNameMap {
    'ctd-usage-chart': CtdUsageChart;
  }
}
