import { KnownProvider } from '../adapters/providers.ts';
import { bearer, chooseBase } from './base.ts';
import { classifyModelList, isObject, num, str } from './classify.ts';
import type { CheckOutcome, HttpOutcome, Validator } from './types.ts';

const WHO = 'DeepSeek';

function withBalance(models: CheckOutcome, balance: HttpOutcome): CheckOutcome {
  const body =
    balance.kind === 'answer' && balance.status === 200 && isObject(balance.json) ? balance.json : undefined;
  if (!body || typeof body.is_available !== 'boolean')
    return { ...models, reason: `${models.reason}; balance not available` };
  const balances = (Array.isArray(body.balance_infos) ? body.balance_infos.filter(isObject) : []).map(
    (b) => ({
      currency: str(b.currency) ?? '?',
      total: num(b.total_balance) ?? 0,
    }),
  );
  const quota = { ...models.quota, isAvailable: body.is_available, balances };
  if (!body.is_available) {
    return {
      ...models,
      status: 'quota_exhausted',
      reason: `${WHO}: the balance is not enough to make calls`,
      quota,
    };
  }
  const summary = balances.map((b) => `${b.total} ${b.currency}`).join(', ');
  return { ...models, reason: `${models.reason}${summary ? ` (balance ${summary})` : ''}`, quota };
}

/**
 * DeepSeek key: `GET {base}/models`, then `GET {base}/user/balance`. 401 invalid; 402
 * insufficient balance; 429 a rate limit; `is_available: false` in the balance is a used-up
 * balance. [U] From DeepSeek's API docs, not verified against a live account here.
 */
export const deepseekValidator: Validator = {
  id: 'deepseek',
  description: 'DeepSeek key: GET /models, then GET /user/balance',
  appliesTo: (c) => c.provider === KnownProvider.deepseek,
  async check(credential, ctx) {
    const base = chooseBase(ctx, credential, 'deepseek', ['deepseek.com'], WHO);
    if ('refused' in base) return base.refused;
    const out = await ctx.request({ url: `${base.url}/models`, headers: bearer(credential) });
    const models = classifyModelList(credential, out, ctx.now, { who: WHO });
    if (models.status !== 'valid') return models;
    const balance = await ctx.request({ url: `${base.url}/user/balance`, headers: bearer(credential) });
    return withBalance(models, balance);
  },
};
