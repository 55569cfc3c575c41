import { KnownProvider } from '../adapters/providers.ts';
import { chooseBase } from './base.ts';
import {
  clip,
  isObject,
  noAccess,
  noEvidence,
  outcome,
  type ProviderError,
  quotaExhausted,
  rateLimited,
  serverError,
  str,
  unexpected,
} from './classify.ts';
import type { CheckOutcome, HttpAnswer, Validator } from './types.ts';

const WHO = 'Google AI (Gemini API)';

/** What a Google API error body says: `error.status`, ErrorInfo `reason`, quota ids, retry delay. */
interface GoogleError extends ProviderError {
  readonly status?: string | undefined;
  readonly reason?: string | undefined;
  readonly quotaIds: string[];
  readonly retryDelaySeconds?: number | undefined;
}

function googleError(json: unknown): GoogleError | undefined {
  if (!isObject(json) || !isObject(json.error)) return undefined;
  const e = json.error;
  const details = Array.isArray(e.details) ? e.details.filter(isObject) : [];
  let reason: string | undefined;
  const quotaIds: string[] = [];
  let retryDelaySeconds: number | undefined;
  for (const d of details) {
    const type = str(d['@type']) ?? '';
    if (type.endsWith('google.rpc.ErrorInfo')) reason ??= str(d.reason);
    if (type.endsWith('google.rpc.QuotaFailure') && Array.isArray(d.violations)) {
      for (const v of d.violations.filter(isObject)) {
        const id = str(v.quotaId) ?? str(v.quotaMetric);
        if (id) quotaIds.push(id);
      }
    }
    if (type.endsWith('google.rpc.RetryInfo')) {
      const m = /^(\d+(?:\.\d+)?)s$/.exec(str(d.retryDelay) ?? '');
      if (m) retryDelaySeconds = Number(m[1]);
    }
  }
  const status = str(e.status);
  return { code: reason ?? status, status, reason, message: str(e.message), quotaIds, retryDelaySeconds };
}

function describe(err: GoogleError): string {
  const label = [err.status, err.reason].filter(Boolean).join('/');
  return `${label}${err.message ? `: ${clip(err.message)}` : ''}`;
}

function classify(answer: HttpAnswer, now: Date): CheckOutcome {
  if (answer.status >= 200 && answer.status < 300) {
    const models = isObject(answer.json) ? answer.json.models : undefined;
    if (!Array.isArray(models)) {
      return outcome(
        answer,
        'unknown',
        `HTTP ${answer.status} from ${WHO}, but the body is not a model list`,
      );
    }
    return outcome(answer, 'valid', `${WHO} accepted the key`);
  }
  const err = googleError(answer.json);
  if (answer.status >= 500) return serverError(answer, WHO, err);
  if (!err)
    return outcome(answer, 'unknown', `HTTP ${answer.status} with JSON that is not a Google API error`);
  const said = `HTTP ${answer.status} ${describe(err)}`;
  const providerCode = err.code;
  if (err.reason === 'API_KEY_INVALID' || answer.status === 401) {
    // An invalid key is a 400 API_KEY_INVALID (not a 401). [U] 401 UNAUTHENTICATED is treated the
    // same in case the API starts using it; a key past its expiry date says "expired" in the message.
    if (/expired/i.test(err.message ?? '')) {
      return outcome(answer, 'expired', `${WHO}: the key has expired (${said})`, { providerCode });
    }
    return outcome(answer, 'invalid', `${WHO} rejected the key (${said})`, { providerCode });
  }
  if (answer.status === 400 && err.status === 'FAILED_PRECONDITION') {
    return outcome(answer, 'no_access', `${WHO}: the free tier is not available in this region (${said})`, {
      providerCode,
    });
  }
  if (answer.status === 403) return noAccess(answer, WHO, { ...err, message: describe(err) });
  if (answer.status === 429) {
    // RESOURCE_EXHAUSTED covers both a per-minute rate and a used-up daily quota; only the
    // QuotaFailure ids tell them apart.
    const retryAfter =
      err.retryDelaySeconds !== undefined
        ? new Date(now.getTime() + err.retryDelaySeconds * 1000).toISOString()
        : undefined;
    if (err.quotaIds.some((id) => /per ?day/i.test(id))) {
      return quotaExhausted(
        answer,
        WHO,
        { code: providerCode, message: describe(err) },
        {
          quota: { exhaustedQuotas: err.quotaIds },
          ...(retryAfter ? { retryAfter } : {}),
        },
      );
    }
    return rateLimited(answer, WHO, { code: providerCode, message: describe(err) }, now, retryAfter);
  }
  return unexpected(answer, WHO, err);
}

/**
 * Gemini API key: `GET {base}/models` with the key in `x-goog-api-key` (never in the URL). 200
 * valid; 400 `INVALID_ARGUMENT` / `API_KEY_INVALID` invalid (not 401); 400 `FAILED_PRECONDITION`
 * no access (region); 403 `PERMISSION_DENIED` no access; 429 `RESOURCE_EXHAUSTED` a rate limit, or
 * a used-up quota when the QuotaFailure names a per-day quota.
 */
export const geminiApiKeyValidator: Validator = {
  id: 'gemini-api-key',
  description: 'Gemini API key: GET /v1beta/models',
  appliesTo: (c) =>
    (c.provider === KnownProvider.google || c.provider === KnownProvider.googleGeminiCli) &&
    c.kind === 'api_key',
  async check(credential, ctx) {
    const base = chooseBase(ctx, credential, 'google', ['googleapis.com'], 'Google');
    if ('refused' in base) return base.refused;
    const out = await ctx.request({
      url: `${base.url}/models?pageSize=1`,
      headers: { 'x-goog-api-key': credential.secret.reveal() },
    });
    const none = noEvidence(out, WHO);
    if (none || out.kind === 'failure') return none as CheckOutcome;
    return classify(out, ctx.now);
  },
};
