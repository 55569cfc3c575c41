import { KnownProvider } from '../adapters/providers.ts';
import { bearer, chooseBase } from './base.ts';
import { classifyFailure, isObject, noEvidence, num, outcome, providerError } from './classify.ts';
import type { CheckOutcome, Validator } from './types.ts';

const WHO = 'OpenRouter';

/**
 * OpenRouter key: `GET {base}/key`, which returns the key's usage and limit. 200 valid (or quota
 * exhausted when a set limit has nothing left); 401 invalid; 402 negative credit balance; 429 a
 * rate limit. [U] The endpoint is documented by OpenRouter but not verified here.
 */
export const openrouterValidator: Validator = {
  id: 'openrouter',
  description: 'OpenRouter key: GET /api/v1/key',
  appliesTo: (c) => c.provider === KnownProvider.openrouter,
  async check(credential, ctx) {
    const base = chooseBase(ctx, credential, 'openrouter', ['openrouter.ai'], WHO);
    if ('refused' in base) return base.refused;
    const out = await ctx.request({ url: `${base.url}/key`, headers: bearer(credential) });
    const none = noEvidence(out, WHO);
    if (none || out.kind === 'failure') return none as CheckOutcome;
    if (out.status === 200) {
      const data = isObject(out.json) ? out.json.data : undefined;
      if (!isObject(data))
        return outcome(out, 'unknown', `HTTP 200 from ${WHO}, but the body is not key information`);
      const limit = num(data.limit);
      const remaining = num(data.limit_remaining);
      const quota = {
        ...(num(data.usage) !== undefined ? { usage: num(data.usage) } : {}),
        limit: limit ?? null,
        ...(remaining !== undefined ? { limitRemaining: remaining } : {}),
        ...(typeof data.is_free_tier === 'boolean' ? { isFreeTier: data.is_free_tier } : {}),
      };
      if (limit !== undefined && remaining !== undefined && remaining <= 0) {
        return outcome(out, 'quota_exhausted', `${WHO}: the key's credit limit (${limit}) is used up`, {
          quota,
        });
      }
      return outcome(out, 'valid', `${WHO} accepted the key`, { quota });
    }
    return classifyFailure(credential, out, providerError(out.json), ctx.now, { who: WHO });
  },
};
