import type { DiscoveredCredential, ValidationResult, ValidationStatus } from '@ctd/core';
import type { EndpointId } from './endpoints.ts';

/** What a validator concluded, before the engine adds the id, the time checked and the latency. */
export interface CheckOutcome {
  readonly status: ValidationStatus;
  /** Why, in a sentence: the provider's code or message where it gave one, never a secret. */
  readonly reason: string;
  readonly httpStatus?: number | undefined;
  readonly providerCode?: string | undefined;
  /** The URL checked, without its query string. */
  readonly endpoint?: string | undefined;
  /** ISO 8601: when a rate-limited credential may be tried again. */
  readonly retryAfter?: string | undefined;
  /** Quota or plan facts the provider returned. */
  readonly quota?: Record<string, unknown> | undefined;
}

/** How a request to a provider came out: an answer (any status) or no usable answer at all. */
export type HttpOutcome = HttpAnswer | HttpFailure;

/** The provider (or something in between) answered. */
export interface HttpAnswer {
  readonly kind: 'answer';
  /** The URL asked, without its query string. */
  readonly endpoint: string;
  readonly status: number;
  readonly headers: Headers;
  /**
   * `json`: the body parsed as JSON; `html`: an HTML page (a proxy, captive portal or CDN);
   * `empty`: no body; `malformed`: claimed or looked like JSON but did not parse; `text`: other text.
   */
  readonly body: 'json' | 'html' | 'empty' | 'malformed' | 'text';
  /** The parsed JSON when `body` is `json`. */
  readonly json: unknown;
}

/** No answer: timeout, connection reset or refused, DNS or TLS failure. */
export interface HttpFailure {
  readonly kind: 'failure';
  readonly endpoint: string;
  /** What went wrong, from error codes only (never an error message that could hold a URL). */
  readonly reason: string;
}

/** One HTTP request a validator wants made. */
export interface HttpRequest {
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  /** A request body (a refresh's JSON or form), sent as is; set its `content-type` in `headers`. */
  readonly body?: string;
}

/** What a validator may use: the resolved endpoints, the HTTP client, the clock. */
export interface CheckContext {
  /** When the check started. */
  readonly now: Date;
  /**
   * Makes a request under the per-host cap and the timeout, without following redirects, through
   * the configured proxy. Never throws.
   */
  request(req: HttpRequest): Promise<HttpOutcome>;
  /** The base URL to use for an endpoint: the caller's override, else the built-in default. */
  baseUrl(id: EndpointId): string;
  /** The caller's override for an endpoint (options, then `CTD_<ID>_BASE_URL`), if any. */
  override(id: EndpointId): string | undefined;
  /** The User-Agent to send. */
  readonly userAgent: string;
}

/**
 * A provider's live check. One file per provider under `validate/`. A validator makes only
 * read-only calls, never spends a refresh token, sends the secret only to its provider's host (or
 * to an endpoint the caller overrode), and never puts the secret in what it returns.
 */
export interface Validator {
  /** Stable id, e.g. `openai-api-key`. */
  readonly id: string;
  /** Human name of the check, for docs and progress. */
  readonly description: string;
  /** Whether this validator checks the credential (the first that applies is used). */
  appliesTo(credential: DiscoveredCredential): boolean;
  /** Checks the credential. Never throws for a provider's answer or a network failure. */
  check(credential: DiscoveredCredential, ctx: CheckContext): Promise<CheckOutcome>;
}

/** A progress event: one check started or finished. */
export interface ValidationProgress {
  readonly type: 'start' | 'done';
  /** The credential concerned. */
  readonly credential: DiscoveredCredential;
  /** The result, on `done`. */
  readonly result?: ValidationResult | undefined;
  /** Ids of the credentials whose checks are still running, in input order. */
  readonly pending: readonly string[];
  readonly done: number;
  readonly total: number;
}

/**
 * Something the caller should tell the user about a check that went ahead. Validation never
 * prints: the CLI prints these, a library user shows them as it likes.
 */
export interface ValidationWarning {
  /**
   * `INSECURE_BASE_URL`: the credential was sent over plain http to a host that is not this
   * machine, because `CTD_ALLOW_INSECURE_BASE_URL=1` allowed it. Given for every such request.
   */
  readonly code: 'INSECURE_BASE_URL';
  /** The credential concerned. */
  readonly credentialId: string;
  /** The URL the credential was sent to, without its query string. */
  readonly endpoint: string;
  /** One line for people; never holds a secret. */
  readonly message: string;
}

/** Options for {@link validateCredentials}. Every field is optional. */
export interface ValidateOptions {
  /**
   * Where to read `CTD_<ID>_BASE_URL` overrides, `CTD_ALLOW_INSECURE_BASE_URL` and
   * `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` from; as for `scan`. @default process.env
   */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Base URL overrides by endpoint id; they win over the environment. */
  baseUrls?: Partial<Record<EndpointId, string>> | undefined;
  /** Timeout of each HTTP request, in ms. @default 5000 */
  timeoutMs?: number | undefined;
  /** How many requests may run at once to one host. @default 16 */
  perHostConcurrency?: number | undefined;
  /** Aborts every pending check (they end as `unknown`). */
  signal?: AbortSignal | undefined;
  /** Called when a check starts and when it ends. Must not throw. */
  onProgress?: ((event: ValidationProgress) => void) | undefined;
  /**
   * Called with each warning (a credential sent without TLS, when the caller allowed it). The same
   * fact is also noted in that result's `reason`. Must not throw.
   */
  onWarning?: ((warning: ValidationWarning) => void) | undefined;
  /** The clock. @default () => new Date() */
  now?: (() => Date) | undefined;
  /** The validators to choose from, in order. @default every built-in validator */
  validators?: readonly Validator[] | undefined;
  /** User-Agent header. @default `ctd/<version> (cli-token-discovery)` */
  userAgent?: string | undefined;
}
