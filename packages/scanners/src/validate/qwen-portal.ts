import { KnownProvider } from '../adapters/providers.ts';
import { bearer, refusedHost } from './base.ts';
import { classifyModelList, errorMatches, rejected } from './classify.ts';
import { hostUnder } from './endpoints.ts';
import type { Validator } from './types.ts';

const WHO = 'Qwen OAuth';

/**
 * The API base of a Qwen OAuth login, as Qwen Code derives it from `resource_url`: `https://` is
 * added when there is no scheme, and `/v1` unless the URL already ends with it.
 *
 * @param resourceUrl - `resource_url` from `oauth_creds.json` (the scanner's `baseUrl`)
 */
export function qwenPortalBase(resourceUrl: string): string {
  let url = resourceUrl.trim().replace(/\/+$/, '');
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) url = `https://${url}`;
  return url.endsWith('/v1') ? url : `${url}/v1`;
}

/**
 * Qwen OAuth login (`~/.qwen/oauth_creds.json`): `GET {resource_url}/v1/models` with the access
 * token, at the base the scanner put in `baseUrl`. Without one, Qwen Code uses DashScope's
 * compatible mode, and so does this check.
 *
 * [U] The portal's models endpoint and its error codes are not documented. The free tier ended
 * on 2026-04-15, so rejections are expected: 401, and a 403 whose code or message is about the
 * token, are rejections (Qwen Code refreshes on both); any other 403 is `no_access`.
 */
export const qwenPortalValidator: Validator = {
  id: 'qwen-oauth',
  description: 'Qwen OAuth login: GET {resource_url}/v1/models',
  appliesTo: (c) => c.provider === KnownProvider.qwenPortal,
  async check(credential, ctx) {
    let base = ctx.override('qwen-portal');
    if (!base && credential.baseUrl) {
      const url = qwenPortalBase(credential.baseUrl);
      if (!hostUnder(url, ['qwen.ai', 'aliyuncs.com'])) return refusedHost(credential, 'Qwen', 'qwen-portal');
      base = url;
    }
    base ??= ctx.baseUrl('qwen');
    const out = await ctx.request({ url: `${base}/models`, headers: bearer(credential) });
    const result = classifyModelList(credential, out, ctx.now, {
      who: WHO,
      isQuota: (err) => errorMatches(err, /^(insufficient_quota|Throttling\.AllocationQuota)$/),
      special: (answer, err) =>
        answer.status === 403 && errorMatches(err, /token|unauthori[sz]ed|invalid_api_key|InvalidApiKey/i)
          ? rejected(credential, answer, WHO, err)
          : undefined,
    });
    if (result.status === 'refreshable' || result.status === 'invalid') {
      return { ...result, reason: `${result.reason} (the Qwen OAuth free tier ended on 2026-04-15)` };
    }
    return result;
  },
};
