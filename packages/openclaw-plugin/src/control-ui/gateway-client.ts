import type { DashboardClient, SettingsSnapshot } from '@ctd/ui-lit';
import type { ControlUiHost } from './host.ts';

/** A failure answered by the gateway, with the service's stable code when it gave one. */
export class GatewayRequestError extends Error {
  override readonly name: string = 'GatewayRequestError';
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

function toRequestError(error: unknown): GatewayRequestError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    message?: unknown;
    details?: { code?: unknown };
    error?: { code?: unknown; message?: unknown; details?: { code?: unknown } };
  };
  const inner = e.error ?? e;
  // The plugin puts the service's code (BAD_USAGE, NOT_FOUND, …) in details; the gateway's own
  // code (INVALID_REQUEST, UNAVAILABLE, a missing scope) is the fallback.
  const code = [inner.details?.code, e.details?.code, inner.code, e.code].find(
    (c): c is string => typeof c === 'string' && /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(c),
  );
  const message = [inner.message, e.message].find((m): m is string => typeof m === 'string' && m !== '');
  return new GatewayRequestError(
    (code ?? 'UNAVAILABLE').toUpperCase().replace(/[.-]/g, '_'),
    message ?? 'the gateway refused the request',
  );
}

/**
 * A {@link DashboardClient} over the Control UI host: each operation is the plugin's
 * `tokenDiscovery.<operation>` gateway method, called with the operator's own scopes
 * (`host.request`), so the gateway enforces read and write rights.
 */
export function createGatewayClient(host: Pick<ControlUiHost, 'request'>): DashboardClient {
  const call = async <T>(op: string, params: unknown): Promise<T> => {
    try {
      return await host.request<T>(`tokenDiscovery.${op}`, (params ?? {}) as Record<string, unknown>);
    } catch (error) {
      throw toRequestError(error);
    }
  };
  return {
    scan: (input) => call('scan', input),
    status: () => call('status', {}),
    getHistory: (input) => call('getHistory', input),
    clearHistory: (input) => call('clearHistory', input),
    refreshToken: (input) => call('refreshToken', input),
    importManual: (input) => call('importManual', input),
    getConfig: () => call<SettingsSnapshot>('getConfig', {}),
    setConfig: (input) => call<SettingsSnapshot>('setConfig', input),
  };
}
