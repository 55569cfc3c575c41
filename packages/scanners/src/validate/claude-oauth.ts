import { KnownProvider } from '../adapters/providers.ts';
import { isAnthropicApiKey } from './anthropic.ts';
import { bearer, chooseBase } from './base.ts';
import {
  describeError,
  errorMatches,
  isObject,
  latestReset,
  noAccess,
  noEvidence,
  num,
  outcome,
  providerError,
  rateLimited,
  rejected,
  serverError,
  str,
  unexpected,
} from './classify.ts';
import type { CheckOutcome, HttpAnswer, Validator } from './types.ts';

const WHO = 'Claude';

interface ClaudeWindow {
  name: string;
  utilization: number;
  resetsAt?: string;
}

function classifyUsage(answer: HttpAnswer): CheckOutcome {
  const body = answer.json;
  if (!isObject(body)) {
    return outcome(
      answer,
      'unknown',
      `HTTP ${answer.status} from ${WHO}, but the body is not a usage report`,
    );
  }
  // Windows are objects with a `utilization` percentage: five_hour, seven_day, seven_day_opus, …
  const windows: ClaudeWindow[] = [];
  for (const [name, w] of Object.entries(body)) {
    if (!isObject(w)) continue;
    const utilization = num(w.utilization);
    if (utilization === undefined) continue;
    const resetsAt = str(w.resets_at);
    windows.push({ name, utilization, ...(resetsAt ? { resetsAt } : {}) });
  }
  const quota = { windows };
  const full = windows.filter((w) => w.utilization >= 100);
  if (full.length > 0) {
    const retryAfter = latestReset(full.map((w) => w.resetsAt));
    return outcome(
      answer,
      'quota_exhausted',
      `${WHO}: the ${full.map((w) => w.name).join(' and ')} limit is used up`,
      {
        quota,
        ...(retryAfter ? { retryAfter } : {}),
      },
    );
  }
  const summary = windows.map((w) => `${w.name} ${w.utilization}%`).join(', ');
  return outcome(answer, 'valid', `${WHO} accepted the login${summary ? ` (${summary})` : ''}`, { quota });
}

/**
 * Claude OAuth login (Claude Code): `GET {base}/api/oauth/usage` with the access token and
 * `anthropic-beta: oauth-2025-04-20`. 200 returns the 5-hour and 7-day utilization (quota facts);
 * 401 expired or invalid; 429 a rate limit (this endpoint limits clients other than Claude Code
 * harder than inference, so a 429 says little about the token).
 *
 * [U] A token without the `user:profile` scope (a `claude setup-token` token) cannot read usage
 * and gets 403 `permission_error` naming the scope. The token authenticated, so it is `valid`
 * with no quota facts; any other 403 is `no_access`.
 */
export const claudeOAuthValidator: Validator = {
  id: 'claude-oauth',
  description: 'Claude login: GET /api/oauth/usage',
  appliesTo: (c) => c.provider === KnownProvider.anthropic && !isAnthropicApiKey(c),
  async check(credential, ctx) {
    const base = chooseBase(ctx, credential, 'anthropic', ['anthropic.com'], 'Anthropic');
    if ('refused' in base) return base.refused;
    const out = await ctx.request({
      url: `${base.url}/api/oauth/usage`,
      headers: { ...bearer(credential), 'anthropic-beta': 'oauth-2025-04-20' },
    });
    const none = noEvidence(out, WHO);
    if (none || out.kind === 'failure') return none as CheckOutcome;
    if (out.status === 200) return classifyUsage(out);
    const err = providerError(out.json);
    if (out.status >= 500) return serverError(out, WHO, err);
    if (!err) return outcome(out, 'unknown', `HTTP ${out.status} with JSON that is not an error from ${WHO}`);
    switch (out.status) {
      case 401:
        return rejected(credential, out, WHO, err);
      case 403:
        if (errorMatches(err, /scope/i)) {
          return outcome(
            out,
            'valid',
            `${WHO} authenticated the token, but it lacks the scope to read usage (${describeError(err)}), e.g. a setup-token`,
            { providerCode: err.code ?? err.type },
          );
        }
        return noAccess(out, WHO, err);
      case 429:
        return rateLimited(out, `${WHO} (usage endpoint)`, err, ctx.now);
      default:
        return unexpected(out, WHO, err);
    }
  },
};
