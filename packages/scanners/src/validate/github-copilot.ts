import { bearer, chooseBase } from './base.ts';
import {
  classifyFailure,
  isObject,
  noAccess,
  noEvidence,
  num,
  outcome,
  providerError,
  rateLimited,
} from './classify.ts';
import type { CheckOutcome, Validator } from './types.ts';

const WHO = 'GitHub Copilot';

/**
 * GitHub Copilot (the Copilot CLI's login, a GitHub token in the environment or gh's hosts.yml):
 * `GET {base}/copilot_internal/user` with `Authorization: Bearer`, the read-only call the Copilot
 * CLI (1.0.102) itself makes at login, answering with the Copilot plan and quota snapshots. 200
 * valid; 401 invalid; 403 or 404 no Copilot access (no seat, or a classic PAT); 403 with
 * `x-ratelimit-remaining: 0`, or 429, a rate limit. It spends no Copilot request.
 */
export const githubCopilotValidator: Validator = {
  id: 'github-copilot',
  description: 'GitHub Copilot: GET /copilot_internal/user',
  appliesTo: (c) => c.provider === 'github-copilot',
  async check(credential, ctx) {
    const base = chooseBase(ctx, credential, 'github-copilot', ['github.com', 'ghe.com'], WHO);
    if ('refused' in base) return base.refused;
    const out = await ctx.request({
      url: `${base.url}/copilot_internal/user`,
      headers: { ...bearer(credential), accept: 'application/json', 'x-github-api-version': '2025-04-01' },
    });
    const none = noEvidence(out, WHO);
    if (none || out.kind === 'failure') return none as CheckOutcome;
    const err = providerError(out.json);
    if (out.status === 200) {
      if (!isObject(out.json))
        return outcome(out, 'unknown', `HTTP 200 from ${WHO}, but the body is not a Copilot user`);
      const plan = typeof out.json.copilot_plan === 'string' ? out.json.copilot_plan : undefined;
      const snapshots = isObject(out.json.quota_snapshots) ? out.json.quota_snapshots : {};
      const premium = isObject(snapshots.premium_interactions) ? snapshots.premium_interactions : undefined;
      const quota = {
        ...(plan ? { plan } : {}),
        ...(premium && num(premium.remaining) !== undefined
          ? { premiumRemaining: num(premium.remaining) }
          : {}),
        ...(premium && num(premium.entitlement) !== undefined
          ? { premiumEntitlement: num(premium.entitlement) }
          : {}),
        ...(premium && typeof premium.unlimited === 'boolean' ? { premiumUnlimited: premium.unlimited } : {}),
      };
      return outcome(out, 'valid', `${WHO} accepted the token${plan ? ` (plan ${plan})` : ''}`, { quota });
    }
    // GitHub's primary rate limit is a 403 (or 429) with no requests left.
    if ((out.status === 403 || out.status === 429) && out.headers.get('x-ratelimit-remaining') === '0') {
      const reset = Number(out.headers.get('x-ratelimit-reset'));
      const retryAfter =
        Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000).toISOString() : undefined;
      return rateLimited(out, WHO, err, ctx.now, retryAfter);
    }
    // 404: the token is good but its user has no Copilot (GitHub hides what it does not grant).
    if (out.status === 404) return noAccess(out, WHO, err);
    return classifyFailure(credential, out, err, ctx.now, { who: WHO });
  },
};
