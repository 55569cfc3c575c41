import {
  createRedactor,
  DEFAULT_VALIDATION_TIMEOUT_MS,
  type DiscoveredCredential,
  type ValidationResult,
} from '@ctd/core';
import { anthropicApiKeyValidator } from './anthropic.ts';
import { chatgptLoginValidator } from './chatgpt.ts';
import { cleanCode, clip } from './classify.ts';
import { claudeOAuthValidator } from './claude-oauth.ts';
import { dashscopeValidator } from './dashscope.ts';
import { deepseekValidator } from './deepseek.ts';
import { ENDPOINTS, type EndpointId, endpointOverride } from './endpoints.ts';
import { geminiApiKeyValidator } from './gemini.ts';
import { githubCopilotValidator } from './github-copilot.ts';
import { googleOAuthValidator } from './google-oauth.ts';
import { httpRequest } from './http.ts';
import { kimiCodeValidator } from './kimi.ts';
import { HostLimiter } from './limiter.ts';
import { moonshotValidator } from './moonshot.ts';
import { openaiApiKeyValidator } from './openai.ts';
import { openrouterValidator } from './openrouter.ts';
import { ProxyDispatchers } from './proxy.ts';
import { qwenPortalValidator } from './qwen-portal.ts';
import { ALLOW_INSECURE_ENV } from './transport.ts';
import type { CheckContext, CheckOutcome, ValidateOptions, ValidationWarning, Validator } from './types.ts';

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
  githubCopilotValidator,
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

/** The longest reason kept; a reason quotes at most a clipped provider message. */
const MAX_REASON_CHARS = 600;

/** A copy of an outcome with every string passed through `clean`, undefined fields dropped. */
function scrub(value: unknown, clean: (text: string) => string): unknown {
  if (typeof value === 'string') return clean(value);
  if (Array.isArray(value)) return value.map((v) => scrub(v, clean));
  if (value && typeof value === 'object') {
    // A loop, not entries/filter/map/fromEntries: four arrays per object, a thousand checks at once.
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined) continue;
      // Defined, not assigned: assigning to `__proto__` would set the copy's prototype.
      if (key === '__proto__') {
        Object.defineProperty(out, key, {
          value: scrub(v, clean),
          writable: true,
          enumerable: true,
          configurable: true,
        });
      } else out[key] = scrub(v, clean);
    }
    return out;
  }
  return value;
}

/** What one check needs from the engine: a context for the validator, and what it noticed. */
interface CheckRun {
  readonly context: CheckContext;
  /** Hosts the credential was sent to over plain http (allowed by the caller). */
  readonly insecureHosts: ReadonlySet<string>;
}

async function checkOne(
  credential: DiscoveredCredential,
  options: ValidateOptions,
  startRun: (now: Date, credential: DiscoveredCredential) => CheckRun,
  clean: (text: string) => string,
): Promise<ValidationResult> {
  const started = (options.now ?? (() => new Date()))();
  const t0 = performance.now();
  let result: CheckOutcome;
  let insecureHosts: ReadonlySet<string> = new Set();
  try {
    const validator = validatorFor(credential, options.validators ?? VALIDATORS);
    const expired = locallyExpired(credential, started);
    if (expired) result = expired;
    else if (validator) {
      const run = startRun(started, credential);
      insecureHosts = run.insecureHosts;
      result = await validator.check(credential, run.context);
    } else {
      result = {
        status: 'unknown',
        reason: `no live check for provider "${credential.provider}" (${credential.kind})`,
      };
    }
  } catch (error) {
    // A validator bug must not sink the other checks; its message could hold anything, so only the name.
    result = {
      status: 'unknown',
      reason: `the check failed unexpectedly (${error instanceof Error ? error.name : 'error'})`,
    };
  }
  // Provider text was redacted as it arrived; this pass catches anything a validator added since.
  // Redact first, then normalise and clip: a clipped copy of a key could no longer be recognised.
  // `status` is one of ours (an enum), never provider text: it is not touched.
  const { status, ...said } = result;
  const { reason, providerCode, ...rest } = scrub(said, clean) as Omit<CheckOutcome, 'status'>;
  const insecure = [...insecureHosts];
  const note = insecure.length
    ? ` [sent without TLS to ${insecure.join(', ')}: ${ALLOW_INSECURE_ENV} is set]`
    : '';
  const code = cleanCode(providerCode);
  return {
    credentialId: credential.id,
    status,
    reason: `${clip(reason, MAX_REASON_CHARS)}${note}`,
    ...rest,
    ...(code ? { providerCode: code } : {}),
    checkedAt: started.toISOString(),
    latencyMs: Math.round(performance.now() - t0),
  } as ValidationResult;
}

/**
 * Checks every credential with a live, read-only call to its provider, all at once (at most
 * `perHostConcurrency` requests per host, each with a timeout). Never spends a refresh token, never
 * returns a secret, and sends each secret only to its provider (or the endpoint the caller
 * overrode), and only over TLS or to this machine (plain http elsewhere only with
 * `CTD_ALLOW_INSECURE_BASE_URL=1`, and then with a warning through `onWarning` and in the reason).
 * Never throws for a provider's answer or a network failure: those are results. No part of any
 * secret of the batch (8 characters or more) appears in a result.
 *
 * @param credentials - credentials from {@link scan}
 * @param options - environment (overrides, proxy; `process.env` by default, as for `scan`),
 *   timeout, concurrency, progress and warning callbacks
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
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const perHost = options.perHostConcurrency ?? DEFAULT_PER_HOST_CONCURRENCY;
  const limiter = new HostLimiter(perHost);
  // As many kept-alive connections per host as requests at once: a request waiting for a slot
  // takes over the connection of the one that freed it, so no check pays a new connection (a TLS
  // handshake) but the first ones to each host.
  const dispatchers = new ProxyDispatchers({ connectionsPerHost: perHost });
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const override = (id: EndpointId) => endpointOverride(id, options.baseUrls, env);
  // Every secret of the batch, not only the one checked: a provider may quote any key it has seen.
  // Indexed once the requests are on their way (below), or by the first text to clean if that
  // comes first: for a thousand secrets it is milliseconds that would otherwise delay every request.
  let redactor: ((text: string) => string) | undefined;
  const redact = () => {
    redactor ??= createRedactor(
      credentials.flatMap((c) => [c.secret.reveal(), c.refreshSecret?.reveal() ?? '']),
    );
    return redactor;
  };
  const clean = (text: string) => redact()(text);
  const warn = (warning: ValidationWarning) => {
    try {
      options.onWarning?.(warning);
    } catch {
      // Showing a warning must never break validation; the result's reason still says it.
    }
  };
  const startRun = (now: Date, credential: DiscoveredCredential): CheckRun => {
    const insecureHosts = new Set<string>();
    const onInsecure = (endpoint: string, host: string) => {
      insecureHosts.add(host);
      warn({
        code: 'INSECURE_BASE_URL',
        credentialId: credential.id,
        endpoint,
        message: `${credential.provider} credential ${credential.id} was sent without TLS to ${endpoint} (${ALLOW_INSECURE_ENV} is set); anyone on the path can read it`,
      });
    };
    const context: CheckContext = {
      now,
      userAgent,
      override,
      baseUrl: (id) => override(id) ?? ENDPOINTS[id].defaultUrl,
      request: (req) =>
        httpRequest(req, {
          env,
          timeoutMs,
          limiter,
          dispatchers,
          userAgent,
          signal: options.signal,
          redact: clean,
          onInsecure,
        }),
    };
    return { context, insecureHosts };
  };

  const running = credentials.map(() => true);
  let done = 0;
  // The list of checks still running is built only for a progress listener: it is a pass over
  // the batch per event, which for a thousand credentials would cost more than the checks.
  const onProgress = options.onProgress;
  const pending = () => credentials.filter((_, i) => running[i]).map((c) => c.id);
  const emit = (type: 'start' | 'done', credential: DiscoveredCredential, result?: ValidationResult) => {
    if (!onProgress) return;
    try {
      onProgress({
        type,
        credential,
        ...(result ? { result } : {}),
        pending: pending(),
        done,
        total: credentials.length,
      });
    } catch {
      // Progress display must never break validation.
    }
  };
  try {
    const checks = credentials.map(async (credential, i) => {
      emit('start', credential);
      const result = await checkOne(credential, options, startRun, clean);
      running[i] = false;
      done++;
      emit('done', credential, result);
      return result;
    });
    // After the first requests went out, while their answers are awaited.
    setImmediate(redact);
    return await Promise.all(checks);
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
