import type { DiscoveredCredential } from '@ctd/core';
import { KnownProvider } from '../adapters/providers.ts';
import { decodeJwtPayload, jwtExpiryMs } from '../jwt.ts';
import { bearer, chooseBase } from './base.ts';
import {
  codeOf,
  describeError,
  isObject,
  latestReset,
  noAccess,
  noEvidence,
  num,
  outcome,
  providerError,
  quotaExhausted,
  rateLimited,
  rejected,
  serverError,
  str,
  unexpected,
} from './classify.ts';
import type { CheckOutcome, HttpAnswer, Validator } from './types.ts';

const WHO = 'ChatGPT';

function accountIdOf(credential: DiscoveredCredential): string | undefined {
  if (credential.account.accountId) return credential.account.accountId;
  const auth = decodeJwtPayload(credential.secret.reveal())?.['https://api.openai.com/auth'];
  return isObject(auth) ? str(auth.chatgpt_account_id) : undefined;
}

/** Names a usage window by its length, not its slot: plans have moved windows between slots. */
function windowName(seconds: number | undefined): string {
  if (seconds === undefined) return 'window';
  if (seconds === 18_000) return '5h';
  if (seconds === 604_800) return 'weekly';
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3_600 === 0) return `${seconds / 3_600}h`;
  return `${Math.round(seconds / 60)}m`;
}

interface UsageWindow {
  name: string;
  limit: string;
  windowSeconds?: number;
  usedPercent?: number;
  resetsAt?: string;
}

function readWindows(limit: unknown, limitName: string, now: Date): UsageWindow[] {
  if (!isObject(limit)) return [];
  const out: UsageWindow[] = [];
  for (const slot of ['primary_window', 'secondary_window']) {
    const w = limit[slot];
    if (!isObject(w)) continue;
    const windowSeconds = num(w.limit_window_seconds);
    const usedPercent = num(w.used_percent);
    const resetAt = num(w.reset_at);
    const resetAfter = num(w.reset_after_seconds);
    const resetsAt =
      resetAt !== undefined
        ? new Date(resetAt * 1000).toISOString()
        : resetAfter !== undefined
          ? new Date(now.getTime() + resetAfter * 1000).toISOString()
          : undefined;
    out.push({
      name: windowName(windowSeconds),
      limit: limitName,
      ...(windowSeconds !== undefined ? { windowSeconds } : {}),
      ...(usedPercent !== undefined ? { usedPercent } : {}),
      ...(resetsAt ? { resetsAt } : {}),
    });
  }
  return out;
}

function classifyUsage(answer: HttpAnswer, now: Date): CheckOutcome {
  const body = answer.json;
  if (!isObject(body) || !('rate_limit' in body || 'plan_type' in body)) {
    return outcome(
      answer,
      'unknown',
      `HTTP ${answer.status} from ${WHO}, but the body is not a usage report`,
    );
  }
  const rateLimit = isObject(body.rate_limit) ? body.rate_limit : {};
  const windows = [
    ...readWindows(body.rate_limit, 'codex', now),
    ...readWindows(body.code_review_rate_limit, 'code_review', now),
  ];
  const plan = str(body.plan_type);
  const credits = isObject(body.credits)
    ? {
        hasCredits: body.credits.has_credits === true,
        unlimited: body.credits.unlimited === true,
        ...(num(body.credits.balance) !== undefined ? { balance: num(body.credits.balance) } : {}),
      }
    : undefined;
  const limitReached = rateLimit.limit_reached === true || rateLimit.allowed === false;
  const full = windows.filter((w) => w.limit === 'codex' && (w.usedPercent ?? 0) >= 100);
  const quota = {
    ...(plan ? { plan } : {}),
    limitReached,
    windows,
    ...(credits ? { credits } : {}),
  };
  if (limitReached || full.length > 0) {
    // The plan's windows are used up: the login works but cannot run Codex until the latest reset.
    const retryAfter = latestReset(full.map((w) => w.resetsAt));
    const which = full.map((w) => w.name).join(' and ') || 'usage';
    return outcome(
      answer,
      'quota_exhausted',
      `the ${which} limit of the ${plan ?? 'ChatGPT'} plan is used up`,
      {
        quota,
        ...(retryAfter ? { retryAfter } : {}),
      },
    );
  }
  const summary = windows
    .filter((w) => w.limit === 'codex')
    .map((w) => `${w.name} ${w.usedPercent ?? '?'}% used`)
    .join(', ');
  const details = [plan ? `${plan} plan` : '', summary].filter(Boolean).join(', ');
  return outcome(answer, 'valid', `${WHO} accepted the login${details ? ` (${details})` : ''}`, { quota });
}

/**
 * Codex ChatGPT login. First the local JWT `exp` (what Codex itself does): an expired access token
 * is reported without a call. Then `GET {base}/wham/usage` (Codex's own path when the base holds
 * `/backend-api`, else `/api/codex/usage`) with `ChatGPT-Account-Id`; 200 returns the plan's
 * usage windows, kept as quota facts and named by window length.
 *
 * [U] Cloudflare may answer a non-browser client with an HTML challenge: that is `unknown`, never
 * `invalid`. We send our own User-Agent rather than imitate Codex's. The JSON shape of errors is
 * not documented, so any JSON 401 from the backend counts as a rejection.
 */
export const chatgptLoginValidator: Validator = {
  id: 'chatgpt-login',
  description: 'ChatGPT (Codex) login: local JWT expiry, then GET /backend-api/wham/usage',
  appliesTo: (c) => c.provider === KnownProvider.openai && c.kind !== 'api_key',
  async check(credential, ctx) {
    const exp = jwtExpiryMs(credential.secret.reveal());
    if (!credential.expiresAt && exp !== undefined && exp <= ctx.now.getTime()) {
      const at = new Date(exp).toISOString();
      return credential.refreshSecret
        ? {
            status: 'refreshable',
            reason: `the access token expired at ${at}; the store holds a refresh token`,
          }
        : { status: 'expired', reason: `the access token expired at ${at} and there is no refresh token` };
    }
    const base = chooseBase(ctx, credential, 'chatgpt', ['chatgpt.com', 'openai.com'], 'ChatGPT');
    if ('refused' in base) return base.refused;
    const path = base.url.includes('/backend-api') ? '/wham/usage' : '/api/codex/usage';
    const accountId = accountIdOf(credential);
    const out = await ctx.request({
      url: `${base.url}${path}`,
      headers: { ...bearer(credential), ...(accountId ? { 'chatgpt-account-id': accountId } : {}) },
    });
    const none = noEvidence(out, WHO);
    if (none || out.kind === 'failure') return none as CheckOutcome;
    if (out.status >= 200 && out.status < 300) return classifyUsage(out, ctx.now);
    const err = providerError(out.json);
    if (out.status >= 500) return serverError(out, WHO, err);
    if (!isObject(out.json)) return unexpected(out, WHO, err);
    switch (out.status) {
      case 401:
        return rejected(credential, out, WHO, err);
      case 403:
        return noAccess(out, WHO, err);
      case 429: {
        const e = isObject(out.json.error) ? out.json.error : {};
        const type = str(e.type) ?? codeOf(err);
        const resetsIn = num(e.resets_in_seconds);
        const retryAfter =
          resetsIn !== undefined ? new Date(ctx.now.getTime() + resetsIn * 1000).toISOString() : undefined;
        const plan = str(e.plan_type);
        const quota = plan ? { plan } : undefined;
        if (type === 'usage_limit_reached') {
          return quotaExhausted(out, WHO, err, {
            providerCode: type,
            ...(retryAfter ? { retryAfter } : {}),
            quota,
          });
        }
        if (type === 'usage_not_included') {
          return outcome(
            out,
            'no_access',
            `the ${plan ?? 'ChatGPT'} plan does not include Codex (${describeError(err) || type})`,
            {
              providerCode: type,
              quota,
            },
          );
        }
        return rateLimited(out, WHO, err, ctx.now, retryAfter);
      }
      default:
        return unexpected(out, WHO, err);
    }
  },
};
