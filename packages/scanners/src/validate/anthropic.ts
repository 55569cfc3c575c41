import type { DiscoveredCredential } from '@ctd/core';
import { KnownProvider } from '../adapters/providers.ts';
import { chooseBase } from './base.ts';
import { classifyModelList, errorMatches, quotaExhausted } from './classify.ts';
import type { Validator } from './types.ts';

const WHO = 'Anthropic';

/** Whether an Anthropic credential is an API key (by kind, or by the `sk-ant-api` prefix). */
export function isAnthropicApiKey(credential: DiscoveredCredential): boolean {
  return credential.kind === 'api_key' || credential.secret.reveal().startsWith('sk-ant-api');
}

/**
 * Anthropic API key: `GET /v1/models` with `x-api-key` and `anthropic-version: 2023-06-01`. 200
 * valid; 401 `authentication_error`; 403 `permission_error`; 429 `rate_limit_error`; 529
 * `overloaded_error` is the provider's trouble (unknown). An empty credit balance shows on
 * /v1/messages as 400 "credit balance is too low"; [U] should /v1/models say so too, or answer
 * 402 `billing_error`, that is a used-up quota.
 */
export const anthropicApiKeyValidator: Validator = {
  id: 'anthropic-api-key',
  description: 'Anthropic API key: GET /v1/models with x-api-key',
  appliesTo: (c) => c.provider === KnownProvider.anthropic && isAnthropicApiKey(c),
  async check(credential, ctx) {
    const base = chooseBase(ctx, credential, 'anthropic', ['anthropic.com'], 'Anthropic');
    if ('refused' in base) return base.refused;
    const out = await ctx.request({
      url: `${base.url}/v1/models?limit=1`,
      headers: { 'x-api-key': credential.secret.reveal(), 'anthropic-version': '2023-06-01' },
    });
    return classifyModelList(credential, out, ctx.now, {
      who: WHO,
      special: (answer, err) =>
        answer.status === 400 && errorMatches(err, /credit balance/i)
          ? quotaExhausted(answer, WHO, err)
          : undefined,
    });
  },
};
