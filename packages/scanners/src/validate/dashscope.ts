import type { DiscoveredCredential } from '@ctd/core';
import { KnownProvider } from '../adapters/providers.ts';
import { bearer, refusedHost, regionCandidates } from './base.ts';
import { classifyModelList, errorMatches, outcome } from './classify.ts';
import { type EndpointId, hostUnder, trimBase } from './endpoints.ts';
import type { CheckContext, CheckOutcome, Validator } from './types.ts';

/** Hosts of the Model Studio endpoints, so that an override of that endpoint applies. */
const KNOWN_HOSTS: Readonly<Record<string, EndpointId>> = {
  'dashscope.aliyuncs.com': 'qwen',
  'dashscope-intl.aliyuncs.com': 'qwen-intl',
  'coding.dashscope.aliyuncs.com': 'qwen-coding',
  'coding-intl.dashscope.aliyuncs.com': 'qwen-coding-intl',
};

const DOMAINS = ['aliyuncs.com', 'alibabacloud.com'];

// `Throttling.RateQuota` is a rate limit despite its name; these are used-up quotas or balances.
const QUOTA = /^(Arrearage|Throttling\.AllocationQuota|insufficient_quota|AllocationQuota\..+)$/;

function isCodingPlan(credential: DiscoveredCredential, id: EndpointId | undefined): boolean {
  if (id) return id === 'qwen-coding' || id === 'qwen-coding-intl';
  return credential.secret.reveal().startsWith('sk-sp-');
}

/** Where to check: the store's base URL (one region), else both regions, China first. */
function targets(
  ctx: CheckContext,
  credential: DiscoveredCredential,
): Array<{ url: string; id?: EndpointId }> | CheckOutcome {
  if (credential.baseUrl) {
    if (!hostUnder(credential.baseUrl, DOMAINS))
      return refusedHost(credential, 'Model Studio (DashScope)', 'qwen');
    let host = '';
    try {
      host = new URL(credential.baseUrl).hostname.toLowerCase();
    } catch {}
    const id = KNOWN_HOSTS[host];
    if (id) return [{ id, url: ctx.override(id) ?? trimBase(credential.baseUrl) }];
    return [{ url: trimBase(credential.baseUrl) }];
  }
  const coding = isCodingPlan(credential, undefined);
  return regionCandidates(ctx, coding ? ['qwen-coding', 'qwen-coding-intl'] : ['qwen', 'qwen-intl']);
}

/**
 * Model Studio (DashScope) key or Coding Plan key (`sk-sp-…`): `GET …/compatible-mode/v1/models`
 * or `GET coding[-intl].dashscope.aliyuncs.com/v1/models`. 200 valid; 401 `InvalidApiKey` /
 * `invalid_api_key`; 403 `AccessDenied` no access, `Arrearage` (overdue account) quota; 429
 * `Throttling.RateQuota` rate limit, `Throttling.AllocationQuota` / `insufficient_quota` quota.
 *
 * A key is bound to a region and a wrong region also answers 401, so a key whose store names no
 * base URL is tried in China, then internationally. [U] The Coding Plan models endpoint is not
 * documented; its 401 "invalid access token or token expired" means a wrong key or an expired
 * subscription.
 */
export const dashscopeValidator: Validator = {
  id: 'dashscope',
  description: 'Model Studio (DashScope) or Coding Plan key: GET …/v1/models',
  appliesTo: (c) => c.provider === KnownProvider.qwen,
  async check(credential, ctx) {
    const list = targets(ctx, credential);
    if (!Array.isArray(list)) return list;
    let first: CheckOutcome | undefined;
    for (const target of list) {
      const coding = isCodingPlan(credential, target.id);
      const who = coding ? 'Coding Plan' : 'Model Studio (DashScope)';
      const out = await ctx.request({ url: `${target.url}/models`, headers: bearer(credential) });
      const result = classifyModelList(credential, out, ctx.now, {
        who,
        isQuota: (err) => errorMatches(err, QUOTA),
        // DashScope has also been seen to send Arrearage with 400.
        special: (answer, err) =>
          answer.status === 400 && errorMatches(err, /^Arrearage$/)
            ? outcome(answer, 'quota_exhausted', `${who}: the account is overdue (Arrearage)`, {
                providerCode: 'Arrearage',
              })
            : undefined,
      });
      const annotated =
        result.status === 'invalid' && coding
          ? {
              ...result,
              reason: `${result.reason}: a wrong key (e.g. a general sk- key) or an expired Coding Plan subscription`,
            }
          : result;
      if (annotated.status !== 'invalid') {
        return first && list.length > 1
          ? { ...annotated, reason: `${annotated.reason} (rejected in the other region)` }
          : annotated;
      }
      first ??= annotated;
    }
    const rejected = first as CheckOutcome;
    return list.length > 1
      ? { ...rejected, reason: `${rejected.reason}; rejected in every region` }
      : rejected;
  },
};
