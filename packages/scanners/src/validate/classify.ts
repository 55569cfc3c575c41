import type { DiscoveredCredential, ValidationStatus } from '@ctd/core';
import type { CheckOutcome, HttpAnswer, HttpOutcome } from './types.ts';

/** A provider's error, as far as its JSON body says. */
export interface ProviderError {
  /** The most specific code given (`invalid_api_key`, `InvalidApiKey`, `API_KEY_INVALID`, …). */
  readonly code?: string | undefined;
  /** The error type or class (`invalid_request_error`, `authentication_error`, …). */
  readonly type?: string | undefined;
  readonly message?: string | undefined;
}

/** Narrows to a plain JSON object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string, or undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A finite number (numeric strings count: some providers send numbers as strings). */
export function num(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/**
 * Reads the error out of the JSON body shapes providers use: OpenAI-style
 * `{"error":{"code","type","message"}}`, Anthropic `{"type":"error","error":{"type","message"}}`,
 * OAuth `{"error":"invalid_token","error_description"}`, DashScope native `{"code","message"}`.
 *
 * @param json - a parsed body
 * @returns the error, or undefined when the body is not an error in any of these shapes
 */
export function providerError(json: unknown): ProviderError | undefined {
  if (!isObject(json)) return undefined;
  const e = json.error;
  if (isObject(e)) {
    // Google puts the HTTP status number in `code` and its own code in `status`.
    return { code: str(e.code) ?? str(e.status), type: str(e.type), message: str(e.message) };
  }
  if (typeof e === 'string' && e) {
    return { code: e, message: str(json.error_description) ?? str(json.message) };
  }
  const code = str(json.code);
  const message = str(json.message) ?? str(json.msg) ?? str(json.detail);
  if (code || message) return { code, type: str(json.type), message };
  return undefined;
}

/**
 * Control characters (C0, DEL, C1), line separators and the bidirectional marks and overrides
 * that reorder what a terminal shows: none belongs in a one-line reason or code.
 */
const CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The longest provider error code kept; real ones are a few words. */
export const MAX_CODE_CHARS = 64;

/**
 * A short, single-line rendering of a provider's text: control characters and whitespace runs
 * become one space, then it is clipped. Provider text reaches here already redacted (the HTTP
 * client redacts every string of a JSON answer first), so clipping cannot expose part of a key.
 *
 * @param text - redacted text
 * @param max - the most characters kept (an ellipsis marks a cut)
 */
export function clip(text: string, max = 200): string {
  const one = text.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/**
 * A provider's error code as reported: one line, no control characters, at most
 * {@link MAX_CODE_CHARS} characters; undefined when nothing is left.
 *
 * @param code - the code from the provider's answer (already redacted)
 */
export function cleanCode(code: string | undefined): string | undefined {
  if (code === undefined) return undefined;
  return clip(code, MAX_CODE_CHARS) || undefined;
}

/** `code: message` for a reason, as far as the provider gave them. */
export function describeError(err: ProviderError | undefined): string {
  if (!err) return '';
  const label = cleanCode(err.code ?? err.type);
  if (label && err.message) return `${label}: ${clip(err.message)}`;
  return label ?? (err.message ? clip(err.message) : '');
}

/** The code to report as `providerCode`, cleaned and clipped. */
export function codeOf(err: ProviderError | undefined): string | undefined {
  return cleanCode(err?.code ?? err?.type);
}

/**
 * When a rate-limited credential may be tried again: `retry-after-ms`, then `Retry-After` in
 * seconds or as an HTTP date.
 *
 * @param headers - the answer's headers
 * @param now - the check's clock
 * @returns ISO 8601, or undefined when the provider gave no hint
 */
export function retryAfterFrom(headers: Headers, now: Date): string | undefined {
  const ms = num(headers.get('retry-after-ms'));
  if (ms !== undefined && ms >= 0) return new Date(now.getTime() + ms).toISOString();
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  const seconds = num(value);
  if (seconds !== undefined)
    return seconds >= 0 ? new Date(now.getTime() + seconds * 1000).toISOString() : undefined;
  const date = Date.parse(value);
  return Number.isFinite(date) ? new Date(date).toISOString() : undefined;
}

/**
 * When every used-up window or quota has reset: the latest of their reset times (ISO 8601, so they
 * sort as text). The credential is usable again only then.
 *
 * @param resets - the reset times, undefined where a window gave none
 * @returns the latest, or undefined when none was given
 */
export function latestReset(resets: ReadonlyArray<string | undefined>): string | undefined {
  return resets
    .filter((r): r is string => Boolean(r))
    .sort()
    .at(-1);
}

/** Builds an outcome with the answer's status and endpoint filled in. */
export function outcome(
  answer: HttpAnswer,
  status: ValidationStatus,
  reason: string,
  extra: Partial<CheckOutcome> = {},
): CheckOutcome {
  return { status, reason, httpStatus: answer.status, endpoint: answer.endpoint, ...extra };
}

/**
 * The `unknown` outcome when a request gave no evidence: no answer, a redirect, or a body that is
 * not JSON (an HTML page from a proxy or captive portal, an empty or unparseable body). Only a
 * well-formed provider answer counts as evidence.
 *
 * @param out - the request's outcome
 * @param who - the provider's name, for the reason
 * @returns the `unknown` outcome, or undefined when the answer is JSON and can be judged
 */
export function noEvidence(out: HttpOutcome, who: string): CheckOutcome | undefined {
  if (out.kind === 'failure') return { status: 'unknown', reason: out.reason, endpoint: out.endpoint };
  const at = `HTTP ${out.status}`;
  if (out.status >= 300 && out.status < 400) {
    return outcome(out, 'unknown', `${at}: a redirect instead of an answer from ${who} (not followed)`);
  }
  switch (out.body) {
    case 'html':
      return outcome(
        out,
        'unknown',
        `${at} with an HTML page instead of JSON: a proxy, captive portal or CDN answered, not ${who}`,
      );
    case 'malformed':
      return outcome(out, 'unknown', `${at} with a body that is not valid JSON`);
    case 'empty':
      return outcome(out, 'unknown', `${at} with an empty body`);
    case 'text':
      return outcome(out, 'unknown', `${at} with a body that is not JSON`);
    case 'json':
      return undefined;
  }
}

/** The outcome of a server error (5xx): the provider is having trouble; nothing is known of the key. */
export function serverError(answer: HttpAnswer, who: string, err: ProviderError | undefined): CheckOutcome {
  const detail = describeError(err);
  return outcome(
    answer,
    'unknown',
    `${who} had a server error (HTTP ${answer.status}${detail ? ` ${detail}` : ''}); try again later`,
    { providerCode: codeOf(err) },
  );
}

/** The outcome of an answer none of the rules explain. */
export function unexpected(answer: HttpAnswer, who: string, err: ProviderError | undefined): CheckOutcome {
  const detail = describeError(err);
  return outcome(
    answer,
    'unknown',
    `unexpected answer from ${who} (HTTP ${answer.status}${detail ? ` ${detail}` : ''})`,
    {
      providerCode: codeOf(err),
    },
  );
}

/** Whether the credential is an OAuth or bearer login rather than an API key. */
export function isLogin(credential: DiscoveredCredential): boolean {
  return credential.kind !== 'api_key';
}

/**
 * The outcome when the provider rejects the credential (401 and the like): a key is `invalid`; a
 * login whose store holds a refresh token is `refreshable` (the refresher can renew it under the
 * CLI's lock); a login without one is `invalid`.
 *
 * @param credential - the credential checked
 * @param answer - the rejecting answer
 * @param who - the provider's name
 * @param err - the provider's error
 */
export function rejected(
  credential: DiscoveredCredential,
  answer: HttpAnswer,
  who: string,
  err: ProviderError | undefined,
): CheckOutcome {
  const detail = describeError(err);
  const said = `HTTP ${answer.status}${detail ? ` ${detail}` : ''}`;
  if (isLogin(credential) && credential.refreshSecret) {
    return outcome(
      answer,
      'refreshable',
      `${who} rejected the access token (${said}); the store holds a refresh token, so a refresh may restore it`,
      { providerCode: codeOf(err) },
    );
  }
  const what = isLogin(credential) ? 'token' : 'key';
  return outcome(answer, 'invalid', `${who} rejected the ${what} (${said})`, { providerCode: codeOf(err) });
}

/** The outcome of a 429 that is a rate limit (with the retry hint) rather than a used-up quota. */
export function rateLimited(
  answer: HttpAnswer,
  who: string,
  err: ProviderError | undefined,
  now: Date,
  retryAfter?: string | undefined,
): CheckOutcome {
  const detail = describeError(err);
  const when = retryAfter ?? retryAfterFrom(answer.headers, now);
  return outcome(
    answer,
    'rate_limited',
    `${who} is rate limiting this credential (HTTP ${answer.status}${detail ? ` ${detail}` : ''})${when ? `; retry after ${when}` : ''}`,
    { providerCode: codeOf(err), ...(when ? { retryAfter: when } : {}) },
  );
}

/** The outcome of a used-up plan, quota or balance. */
export function quotaExhausted(
  answer: HttpAnswer,
  who: string,
  err: ProviderError | undefined,
  extra: Partial<CheckOutcome> = {},
): CheckOutcome {
  const detail = describeError(err);
  return outcome(
    answer,
    'quota_exhausted',
    `${who}: the quota or balance is used up (HTTP ${answer.status}${detail ? ` ${detail}` : ''})`,
    { providerCode: codeOf(err), ...extra },
  );
}

/** The outcome of a credential that works but may not do this (region, permission, membership). */
export function noAccess(answer: HttpAnswer, who: string, err: ProviderError | undefined): CheckOutcome {
  const detail = describeError(err);
  return outcome(
    answer,
    'no_access',
    `${who} accepted the credential but denies access (HTTP ${answer.status}${detail ? ` ${detail}` : ''})`,
    { providerCode: codeOf(err) },
  );
}

/** Rules for {@link classifyModelList} and {@link classifyFailure}. */
export interface ModelListRules {
  /** The provider's name for reasons. */
  readonly who: string;
  /** Whether an error (on 403 or 429) means the quota or balance is used up. */
  readonly isQuota?: (err: ProviderError | undefined, status: number) => boolean;
  /** Overrides for statuses (return undefined to fall back to the defaults). */
  readonly special?: (answer: HttpAnswer, err: ProviderError | undefined) => CheckOutcome | undefined;
}

/**
 * Classifies the answer of an OpenAI-compatible `GET …/models`: 200 with a `data` array is valid;
 * any other answer as {@link classifyFailure} does.
 *
 * @param credential - the credential checked
 * @param out - the request's outcome
 * @param now - the check's clock
 * @param rules - provider-specific rules
 */
export function classifyModelList(
  credential: DiscoveredCredential,
  out: HttpOutcome,
  now: Date,
  rules: ModelListRules,
): CheckOutcome {
  const none = noEvidence(out, rules.who);
  if (none || out.kind === 'failure') return none as CheckOutcome;
  const err = out.status >= 400 ? providerError(out.json) : undefined;
  const special = rules.special?.(out, err);
  if (special) return special;
  if (out.status >= 200 && out.status < 300) {
    const data = isObject(out.json) ? out.json.data : undefined;
    if (!Array.isArray(data)) {
      return outcome(
        out,
        'unknown',
        `HTTP ${out.status} from ${rules.who}, but the body is not a model list`,
      );
    }
    return outcome(out, 'valid', `${rules.who} accepted the credential`, {
      quota: { models: data.length },
    });
  }
  return classifyFailure(credential, out, err, now, rules);
}

/**
 * Classifies a JSON answer that is not a success, the way most providers mean their statuses: 5xx
 * is the provider's trouble; JSON that is not an error says nothing of the credential; 401 is a
 * rejection; 402 a used-up balance; 403 no access (or quota, per the rules); 429 a rate limit (or
 * quota); anything else unknown.
 *
 * @param credential - the credential checked
 * @param answer - a JSON answer the caller did not take as a success (and not a redirect)
 * @param err - the provider's error in the answer
 * @param now - the check's clock
 * @param rules - the provider's name, and which errors mean a used-up quota
 */
export function classifyFailure(
  credential: DiscoveredCredential,
  answer: HttpAnswer,
  err: ProviderError | undefined,
  now: Date,
  rules: Pick<ModelListRules, 'who' | 'isQuota'>,
): CheckOutcome {
  const { who } = rules;
  if (answer.status >= 500) return serverError(answer, who, err);
  if (!err) {
    return outcome(answer, 'unknown', `HTTP ${answer.status} with JSON that is not an error from ${who}`);
  }
  const isQuota = rules.isQuota ?? (() => false);
  switch (answer.status) {
    case 401:
      return rejected(credential, answer, who, err);
    case 402:
      return quotaExhausted(answer, who, err);
    case 403:
      return isQuota(err, 403) ? quotaExhausted(answer, who, err) : noAccess(answer, who, err);
    case 429:
      return isQuota(err, 429) ? quotaExhausted(answer, who, err) : rateLimited(answer, who, err, now);
    default:
      return unexpected(answer, who, err);
  }
}

/** Matches error codes, types or messages against a pattern. */
export function errorMatches(err: ProviderError | undefined, pattern: RegExp): boolean {
  if (!err) return false;
  return [err.code, err.type, err.message].some((s) => s !== undefined && pattern.test(s));
}
