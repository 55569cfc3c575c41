import type {
  ClearHistoryOutput,
  GetHistoryOutput,
  ImportManualOutput,
  RefreshOutput,
  ScanOutput,
  StatusOutput,
} from '@ctd/service/client';
import type { DashboardClient, SettingsSnapshot } from './types.ts';

/** A failure answered by the HTTP API: its stable code (a `CtdError` code) and message. */
export class HttpClientError extends Error {
  override readonly name: string = 'HttpClientError';
  /** Stable code, e.g. `BAD_USAGE`, `NOT_FOUND`, `UNAUTHORIZED`. */
  readonly code: string;
  /** The HTTP status. */
  readonly status: number;

  constructor(code: string, message: string, status: number) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/** Options of {@link createHttpClient}. */
export interface HttpClientOptions {
  /** Base URL of the API (its operations are `POST <base>/<operation>`). @default '/api' */
  baseUrl?: string | undefined;
  /** The bearer token the server printed. */
  token: string;
  /** The fetch to use. @default globalThis.fetch */
  fetch?: typeof fetch | undefined;
}

/**
 * A {@link DashboardClient} over `ctd serve`'s HTTP API: one `POST <base>/<operation>` per call,
 * JSON in and out, the token in an `Authorization: Bearer` header (never in a URL).
 *
 * @param options - base URL, token, fetch
 * @returns a client with the six operations plus `getConfig` / `setConfig`
 * @example
 * const client = createHttpClient({ token });
 * const { credentials } = await client.status();
 */
export function createHttpClient(options: HttpClientOptions): DashboardClient {
  const base = (options.baseUrl ?? '/api').replace(/\/$/, '');
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  async function call<T>(operation: string, input: unknown): Promise<T> {
    let res: Response;
    try {
      res = await doFetch(`${base}/${operation}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
        body: JSON.stringify(input ?? {}),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      throw new HttpClientError(
        'UNREACHABLE',
        'the ctd server did not answer (is `ctd serve` still running?)',
        0,
      );
    }
    const body = (await res.json().catch(() => null)) as
      | { ok: true; result: T }
      | { ok: false; error: { code: string; message: string } }
      | null;
    if (body?.ok === true) return body.result;
    const error =
      body && body.ok === false ? body.error : { code: 'INTERNAL', message: `HTTP ${res.status}` };
    throw new HttpClientError(error.code, error.message, res.status);
  }
  return {
    scan: (input) => call<ScanOutput>('scan', input),
    status: () => call<StatusOutput>('status', {}),
    getHistory: (input) => call<GetHistoryOutput>('getHistory', input),
    clearHistory: (input) => call<ClearHistoryOutput>('clearHistory', input),
    refreshToken: (input) => call<RefreshOutput>('refreshToken', input),
    importManual: (input) => call<ImportManualOutput>('importManual', input),
    getConfig: () => call<SettingsSnapshot>('getConfig', {}),
    setConfig: (input) => call<SettingsSnapshot>('setConfig', input),
  };
}
