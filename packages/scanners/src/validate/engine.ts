import {
  DEFAULT_VALIDATION_TIMEOUT_MS,
  type DiscoveredCredential,
  redact,
  type ValidationResult,
} from '@ctd/core';
import { anthropicApiKeyValidator } from './anthropic.ts';
import { chatgptLoginValidator } from './chatgpt.ts';
import { claudeOAuthValidator } from './claude-oauth.ts';
import { dashscopeValidator } from './dashscope.ts';
import { deepseekValidator } from './deepseek.ts';
import { ENDPOINTS, type EndpointId, endpointOverride } from './endpoints.ts';
import { geminiApiKeyValidator } from './gemini.ts';
import { googleOAuthValidator } from './google-oauth.ts';
import { httpRequest } from './http.ts';
import { kimiCodeValidator } from './kimi.ts';
import { HostLimiter } from './limiter.ts';
import { moonshotValidator } from './moonshot.ts';
import { openaiApiKeyValidator } from './openai.ts';
import { openrouterValidator } from './openrouter.ts';
import { ProxyDispatchers } from './proxy.ts';
import { qwenPortalValidator } from './qwen-portal.ts';
import type { CheckContext, CheckOutcome, ValidateOptions, Validator } from './types.ts';

/** Default timeout of one HTTP request, in ms. */
export const DEFAULT_TIMEOUT_MS: number = DEFAULT_VALIDATION_TIMEOUT_MS;
/** Default number of requests at once per host: ten checks to one host all run together. */
export const DEFAULT_PER_HOST_CONCURRENCY = 16;
/** Default User-Agent: the tool names itself rather than imitate a provider's CLI. */
export const DEFAULT_USER_AGENT = 'ctd/0.1 (cli-token-discovery)';

/** Every built-in validator, in the order they are tried (the first that applies checks). */
export const VALIDATORS: readonly Validator[] = [
  chatgptLoginValidator,
  openaiApiKeyValidator,
  geminiApiKeyValidator,
  googleOAuthValidator,
  qwenPortalValidator,
  dashscopeValidator,
  moonshotValidator,
  kimiCodeValidator,
  anthropicApiKeyValidator,
  claudeOAuthValidator,
  openrouterValidator,
  deepseekValidator,
];

/**
 * The validator that checks a credential: chosen by provider and kind (opencode entries keep their
 * provider id, so they get that provider's check), or undefined when there is none.
 *
 * @param credential - a discovered credential
 * @param validators - where to look
 */
export function validatorFor(
  credential: DiscoveredCredential,
  validators: readonly Validator[] = VALIDATORS,
): Validator | undefined {
  return validators.find((v) => v.appliesTo(credential));
}

/** A login whose access token has passed its expiry needs no call to know it will be rejected. */
function locallyExpired(credential: DiscoveredCredential, now: Date): CheckOutcome | undefined {
  if (credential.kind === 'api_key' || !credential.expiresAt) return undefined;
  const at = Date.parse(credential.expiresAt);
  if (!Number.isFinite(at) || at > now.getTime()) return undefined;
  return credential.refreshSecret
    ? {
        status: 'refreshable',
        reason: `the access token expired at ${credential.expiresAt}; the store holds a refresh token`,
      }
    : {
        status: 'expired',
        reason: `the access token expired at ${credential.expiresAt} and there is no refresh token`,
      };
}

function scrub(value: unknown, secrets: string[]): unknown {
  if (typeof value === 'string') return redact(value, secrets);
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, scrub(v, secrets)]),
    );
  }
  return value;
}

async function checkOne(
  credential: DiscoveredCredential,
  options: ValidateOptions,
  makeContext: (now: Date) => CheckContext,
): Promise<ValidationResult> {
  const started = (options.now ?? (() => new Date()))();
  const t0 = performance.now();
  let result: CheckOutcome;
  try {
    const validator = validatorFor(credential, options.validators ?? VALIDATORS);
    result =
      locallyExpired(credential, started) ??
      (validator
        ? await validator.check(credential, makeContext(started))
        : {
            status: 'unknown',
            reason: `no live check for provider "${credential.provider}" (${credential.kind})`,
          });
  } catch (error) {
    // A validator bug must not sink the other checks; its message could hold anything, so only the name.
    result = {
      status: 'unknown',
      reason: `the check failed unexpectedly (${error instanceof Error ? error.name : 'error'})`,
    };
  }
  const secrets = [credential.secret.reveal(), credential.refreshSecret?.reveal() ?? ''];
  // Belt and braces: a provider may echo the key in an error message.
  return scrub(
    {
      credentialId: credential.id,
      ...result,
      checkedAt: started.toISOString(),
      latencyMs: Math.round(performance.now() - t0),
    },
    secrets,
  ) as ValidationResult;
}

/**
 * Checks every credential with a live, read-only call to its provider, all at once (at most
 * `perHostConcurrency` requests per host, each with a timeout). Never spends a refresh token, never
 * returns a secret, and sends each secret only to its provider (or the endpoint the caller
 * overrode). Never throws for a provider's answer or a network failure: those are results.
 *
 * @param credentials - credentials from {@link scan}
 * @param options - environment (overrides, proxy), timeout, concurrency, progress callback
 * @returns one result per credential, in input order
 * @example
 * // `env`: the environment the application chose to pass (overrides and proxy settings).
 * const { credentials } = await scan({ env });
 * const results = await validateCredentials(credentials, { env, timeoutMs: 5000 });
 */
export async function validateCredentials(
  credentials: readonly DiscoveredCredential[],
  options: ValidateOptions = {},
): Promise<ValidationResult[]> {
  const env = options.env ?? {};
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const limiter = new HostLimiter(options.perHostConcurrency ?? DEFAULT_PER_HOST_CONCURRENCY);
  const dispatchers = new ProxyDispatchers();
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const override = (id: EndpointId) => endpointOverride(id, options.baseUrls, env);
  const makeContext = (now: Date): CheckContext => ({
    now,
    userAgent,
    override,
    baseUrl: (id) => override(id) ?? ENDPOINTS[id].defaultUrl,
    request: (req) =>
      httpRequest(req, { env, timeoutMs, limiter, dispatchers, userAgent, signal: options.signal }),
  });

  const running = credentials.map(() => true);
  let done = 0;
  const pending = () => credentials.filter((_, i) => running[i]).map((c) => c.id);
  const emit = (event: Parameters<NonNullable<ValidateOptions['onProgress']>>[0]) => {
    try {
      options.onProgress?.(event);
    } catch {
      // Progress display must never break validation.
    }
  };
  try {
    return await Promise.all(
      credentials.map(async (credential, i) => {
        emit({ type: 'start', credential, pending: pending(), done, total: credentials.length });
        const result = await checkOne(credential, options, makeContext);
        running[i] = false;
        done++;
        emit({ type: 'done', credential, result, pending: pending(), done, total: credentials.length });
        return result;
      }),
    );
  } finally {
    await dispatchers.close();
  }
}

/**
 * Checks one credential; see {@link validateCredentials}.
 *
 * @param credential - a discovered credential
 * @param options - as for {@link validateCredentials}
 */
export async function validateCredential(
  credential: DiscoveredCredential,
  options: ValidateOptions = {},
): Promise<ValidationResult> {
  const [result] = await validateCredentials([credential], options);
  return result as ValidationResult;
}
