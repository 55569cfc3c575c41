import { KnownProvider } from '../adapters/providers.ts';
import { bearer, chooseBase } from './base.ts';
import { classifyModelList, errorMatches } from './classify.ts';
import type { Validator } from './types.ts';

/**
 * OpenAI API key: `GET /v1/models` with `Authorization: Bearer`. 200 valid; 401
 * `invalid_api_key`; 403 region unsupported or a restricted key; 429 `rate_limit_exceeded`, or
 * `insufficient_quota` for a used-up quota.
 *
 * [U] A zero-balance account may still list models (quota shows only on billable endpoints), so a
 * `valid` here does not promise that inference works; `insufficient_quota` is handled on both 429
 * and 403 in case the models endpoint starts reporting it.
 */
export const openaiApiKeyValidator: Validator = {
  id: 'openai-api-key',
  description: 'OpenAI API key: GET /v1/models',
  appliesTo: (c) => c.provider === KnownProvider.openai && c.kind === 'api_key',
  async check(credential, ctx) {
    const base = chooseBase(ctx, credential, 'openai', ['openai.com'], 'OpenAI');
    if ('refused' in base) return base.refused;
    const out = await ctx.request({ url: `${base.url}/models`, headers: bearer(credential) });
    return classifyModelList(credential, out, ctx.now, {
      who: 'OpenAI',
      isQuota: (err) => errorMatches(err, /^insufficient_quota$/),
    });
  },
};
