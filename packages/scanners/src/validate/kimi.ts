import type { DiscoveredCredential } from '@ctd/core';
import { KnownProvider } from '../adapters/providers.ts';
import { bearer, chooseBase } from './base.ts';
import {
  classifyModelList,
  errorMatches,
  isObject,
  latestReset,
  noAccess,
  num,
  outcome,
  quotaExhausted,
  str,
} from './classify.ts';
import { hostUnder } from './endpoints.ts';
import type { CheckOutcome, HttpOutcome, Validator } from './types.ts';

const WHO = 'Kimi Code';

interface KimiQuota {
  name: string;
  limit?: number;
  used?: number;
  remaining?: number;
  resetsAt?: string;
  windowMinutes?: number;
}

function readDetail(name: string, d: unknown): KimiQuota | undefined {
  if (!isObject(d)) return undefined;
  // Kimi sends the numbers as strings.
  const limit = num(d.limit);
  const used = num(d.used);
  const remaining =
    num(d.remaining) ?? (limit !== undefined && used !== undefined ? limit - used : undefined);
  const resetsAt = str(d.resetTime) ?? str(d.reset_time);
  return {
    name,
    ...(limit !== undefined ? { limit } : {}),
    ...(used !== undefined ? { used } : {}),
    ...(remaining !== undefined ? { remaining } : {}),
    ...(resetsAt ? { resetsAt } : {}),
  };
}

function minutesOf(window: unknown): number | undefined {
  if (!isObject(window)) return undefined;
  const duration = num(window.duration);
  if (duration === undefined) return undefined;
  const unit = str(window.timeUnit) ?? '';
  if (/HOUR/i.test(unit)) return duration * 60;
  if (/DAY/i.test(unit)) return duration * 1440;
  if (/SECOND/i.test(unit)) return duration / 60;
  return duration;
}

/** Reads `/usages`: a top-level `usage` (the weekly quota) and windowed `limits`. */
function readUsages(json: unknown): { quotas: KimiQuota[]; membership?: string } | undefined {
  if (!isObject(json)) return undefined;
  const quotas: KimiQuota[] = [];
  const weekly = readDetail('weekly', json.usage);
  if (weekly) quotas.push(weekly);
  if (Array.isArray(json.limits)) {
    for (const l of json.limits.filter(isObject)) {
      const minutes = minutesOf(l.window);
      const name = minutes === undefined ? 'window' : minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
      const q = readDetail(name, l.detail);
      if (q) quotas.push({ ...q, ...(minutes !== undefined ? { windowMinutes: minutes } : {}) });
    }
  }
  const user = isObject(json.user) ? json.user : {};
  const membership =
    str(user.membershipLevel) ?? (isObject(user.membership) ? str(user.membership.level) : undefined);
  if (quotas.length === 0 && !membership) return undefined;
  return { quotas, ...(membership ? { membership } : {}) };
}

function withUsage(models: CheckOutcome, usage: HttpOutcome): CheckOutcome {
  const parsed =
    usage.kind === 'answer' && usage.status === 200 && usage.body === 'json'
      ? readUsages(usage.json)
      : undefined;
  if (!parsed) return { ...models, reason: `${models.reason}; usage not available` };
  const quota = {
    ...models.quota,
    ...(parsed.membership ? { membership: parsed.membership } : {}),
    quotas: parsed.quotas,
  };
  const empty = parsed.quotas.filter((q) => q.remaining !== undefined && q.remaining <= 0);
  if (empty.length > 0) {
    const retryAfter = latestReset(empty.map((q) => q.resetsAt));
    return {
      ...models,
      status: 'quota_exhausted',
      reason: `${WHO}: the ${empty.map((q) => q.name).join(' and ')} quota is used up`,
      quota,
      ...(retryAfter ? { retryAfter } : {}),
    };
  }
  const summary = parsed.quotas
    .filter((q) => q.remaining !== undefined && q.limit !== undefined)
    .map((q) => `${q.name} ${q.remaining}/${q.limit} left`)
    .join(', ');
  return { ...models, reason: `${models.reason}${summary ? ` (${summary})` : ''}`, quota };
}

/** Whether a kimi credential is really a Moonshot open-platform key (its store says so). */
export function pointsAtMoonshot(credential: DiscoveredCredential): boolean {
  return Boolean(credential.baseUrl && hostUnder(credential.baseUrl, ['moonshot.ai', 'moonshot.cn']));
}

/**
 * Kimi Code login or key: `GET {base}/models` (what kimi-cli calls at login), then `GET
 * {base}/usages` for the quota meters. 401 invalid or expired; 402 membership unavailable (no
 * access); 403 "usage limit for this billing cycle" quota; 429 rate limit.
 *
 * [U] Kimi For Coding answers 403 "only available for Coding Agents" to clients it does not
 * recognise; it may want a coding-agent User-Agent. We do not imitate one: that answer says
 * nothing about the credential, so it is `unknown`. Were the gate lifted, the same call judges it.
 */
export const kimiCodeValidator: Validator = {
  id: 'kimi-code',
  description: 'Kimi Code login or key: GET /coding/v1/models, then GET /coding/v1/usages',
  appliesTo: (c) => c.provider === KnownProvider.kimi && !pointsAtMoonshot(c),
  async check(credential, ctx) {
    const base = chooseBase(ctx, credential, 'kimi', ['kimi.com'], 'Kimi Code');
    if ('refused' in base) return base.refused;
    const out = await ctx.request({ url: `${base.url}/models`, headers: bearer(credential) });
    const models = classifyModelList(credential, out, ctx.now, {
      who: WHO,
      special: (answer, err) => {
        if (answer.status === 402) {
          return outcome(answer, 'no_access', `${WHO}: the membership is unavailable (HTTP 402)`, {
            providerCode: err?.code ?? err?.type,
          });
        }
        if (answer.status !== 403) return undefined;
        if (errorMatches(err, /coding agents?/i)) {
          return outcome(
            answer,
            'unknown',
            `${WHO} serves only the coding agents it recognises and refused this client (HTTP 403); the credential itself was not judged`,
            { providerCode: err?.code ?? err?.type },
          );
        }
        if (errorMatches(err, /usage limit|billing cycle|quota/i)) return quotaExhausted(answer, WHO, err);
        return noAccess(answer, WHO, err);
      },
    });
    if (models.status !== 'valid') return models;
    const usage = await ctx.request({ url: `${base.url}/usages`, headers: bearer(credential) });
    return withUsage(models, usage);
  },
};
