import type { CredentialStatus } from '@ctd/service/client';

/** The badge kinds the panel shows. */
export type BadgeKind =
  | 'valid'
  | 'expiring'
  | 'expired'
  | 'invalid'
  | 'rate_limited'
  | 'quota_exhausted'
  | 'needs_login'
  | 'refreshable'
  | 'no_access'
  | 'unknown'
  | 'unchecked';

/** Labels of the badges (the text a screen reader reads too). */
export const BADGE_LABEL: Readonly<Record<BadgeKind, string>> = {
  valid: 'Valid',
  expiring: 'Expiring',
  expired: 'Expired',
  invalid: 'Invalid',
  rate_limited: 'Rate limited',
  quota_exhausted: 'Quota exhausted',
  needs_login: 'Needs login',
  refreshable: 'Refreshable',
  no_access: 'No access',
  unknown: 'Unknown',
  unchecked: 'Unchecked',
};

/** A valid credential whose token expires within this long is shown as expiring. */
export const EXPIRING_WITHIN_MS = 24 * 60 * 60 * 1000;

/** Which badge a credential gets at `now`. */
export function badgeOf(c: CredentialStatus, now: number): BadgeKind {
  const status = c.status as string;
  if (status === 'valid' || status === 'unchecked') {
    const at = c.expiresAt ? Date.parse(c.expiresAt) : Number.NaN;
    if (Number.isFinite(at)) {
      if (at <= now) return c.hasRefreshToken ? 'refreshable' : 'expired';
      if (status === 'valid' && at - now <= EXPIRING_WITHIN_MS) return 'expiring';
    }
  }
  return Object.hasOwn(BADGE_LABEL, status) ? (status as BadgeKind) : 'unknown';
}

/** Whether a credential gets a refresh button (every one that is not working). */
export function needsRefresh(kind: BadgeKind): boolean {
  return kind !== 'valid' && kind !== 'unchecked' && kind !== 'expiring';
}

/** "3h 12m", "4m 05s", "2d 3h": a short duration. */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  return `${m}m ${String(s % 60).padStart(2, '0')}s`;
}

/** "5 min ago", "in 2 h", or "never". */
export function relativeTime(iso: string | null | undefined, now: number): string {
  if (!iso) return 'never';
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return 'unknown';
  const diff = at - now;
  const abs = Math.abs(diff);
  const unit =
    abs < 60_000
      ? 'just now'
      : abs < 3_600_000
        ? `${Math.round(abs / 60_000)} min`
        : abs < 86_400_000
          ? `${Math.round(abs / 3_600_000)} h`
          : `${Math.round(abs / 86_400_000)} d`;
  if (unit === 'just now') return unit;
  return diff < 0 ? `${unit} ago` : `in ${unit}`;
}

/** The account line: e-mail, else account id, with the plan. */
export function accountOf(c: CredentialStatus): string {
  const a = c.account ?? {};
  const who = a.email ?? a.accountId ?? a.organization ?? a.userId ?? '';
  return a.plan ? (who ? `${who} (${a.plan})` : a.plan) : who;
}

/** Success rate as "97 %" or "–" without uses. */
export function healthOf(c: CredentialStatus): { rate: number | null; label: string } {
  const n = c.usage.successes + c.usage.failures;
  if (n === 0) return { rate: null, label: '–' };
  const rate = c.usage.successes / n;
  return { rate, label: `${Math.round(rate * 100)} %` };
}

/** Order of badges when sorting by status: the ones needing attention first. */
export const BADGE_ORDER: readonly BadgeKind[] = [
  'expired',
  'invalid',
  'needs_login',
  'refreshable',
  'quota_exhausted',
  'rate_limited',
  'no_access',
  'unknown',
  'expiring',
  'unchecked',
  'valid',
];
