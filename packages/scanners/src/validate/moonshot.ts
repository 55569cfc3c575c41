import { KnownProvider } from '../adapters/providers.ts';
import { bearer, refusedHost, regionCandidates } from './base.ts';
import { classifyModelList, errorMatches, isObject, num } from './classify.ts';
import { type EndpointId, hostUnder, trimBase } from './endpoints.ts';
import { pointsAtMoonshot } from './kimi.ts';
import type { CheckContext, CheckOutcome, HttpOutcome, Validator } from './types.ts';

const WHO = 'Moonshot';

function targets(
  ctx: CheckContext,
  baseUrl: string | undefined,
): Array<{ url: string; id: EndpointId }> | undefined {
  if (!baseUrl) return regionCandidates(ctx, ['moonshot', 'moonshot-cn']);
  if (hostUnder(baseUrl, ['moonshot.cn']))
    return [{ id: 'moonshot-cn', url: ctx.override('moonshot-cn') ?? trimBase(baseUrl) }];
  if (hostUnder(baseUrl, ['moonshot.ai']))
    return [{ id: 'moonshot', url: ctx.override('moonshot') ?? trimBase(baseUrl) }];
  return undefined;
}

function withBalance(models: CheckOutcome, balance: HttpOutcome): CheckOutcome {
  const data =
    balance.kind === 'answer' && balance.status === 200 && isObject(balance.json)
      ? balance.json.data
      : undefined;
  const available = isObject(data) ? num(data.available_balance) : undefined;
  if (!isObject(data) || available === undefined)
    return { ...models, reason: `${models.reason}; balance not available` };
  const quota = {
    ...models.quota,
    availableBalance: available,
    ...(num(data.voucher_balance) !== undefined ? { voucherBalance: num(data.voucher_balance) } : {}),
    ...(num(data.cash_balance) !== undefined ? { cashBalance: num(data.cash_balance) } : {}),
  };
  if (available <= 0) {
    return {
      ...models,
      status: 'quota_exhausted',
      reason: `${WHO}: the balance is used up (${available})`,
      quota,
    };
  }
  return { ...models, reason: `${models.reason} (balance ${available})`, quota };
}

/**
 * Moonshot open-platform key: `GET api.moonshot.ai|cn/v1/models`, then `GET
 * /v1/users/me/balance` (`data.available_balance`). 401 invalid; 403 insufficient balance (quota)
 * or permission denied; 429 `exceeded_current_quota_error` quota, other 429s a rate limit.
 *
 * [U] Keys are bound to a platform (.ai or .cn): a key whose store names neither is tried on the
 * global platform, then on the Chinese one after a 401.
 */
export const moonshotValidator: Validator = {
  id: 'moonshot',
  description: 'Moonshot key: GET /v1/models, then GET /v1/users/me/balance',
  appliesTo: (c) =>
    c.provider === KnownProvider.moonshot || (c.provider === KnownProvider.kimi && pointsAtMoonshot(c)),
  async check(credential, ctx) {
    const list = targets(ctx, credential.baseUrl);
    if (!list) return refusedHost(credential, WHO, 'moonshot');
    let first: CheckOutcome | undefined;
    for (const target of list) {
      const out = await ctx.request({ url: `${target.url}/models`, headers: bearer(credential) });
      const models = classifyModelList(credential, out, ctx.now, {
        who: WHO,
        isQuota: (err, status) =>
          status === 403
            ? errorMatches(err, /balance|quota|suspended|insufficient/i)
            : errorMatches(err, /exceeded_current_quota|insufficient_quota|suspended/i),
      });
      if (models.status === 'invalid') {
        first ??= models;
        continue;
      }
      const note = first ? ' (rejected on the other platform)' : '';
      if (models.status !== 'valid') return { ...models, reason: models.reason + note };
      const balance = await ctx.request({
        url: `${target.url}/users/me/balance`,
        headers: bearer(credential),
      });
      const result = withBalance(models, balance);
      return { ...result, reason: result.reason + note };
    }
    const rejected = first as CheckOutcome;
    return list.length > 1
      ? { ...rejected, reason: `${rejected.reason}; rejected on both platforms` }
      : rejected;
  },
};
