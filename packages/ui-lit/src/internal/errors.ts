/** A failure as the elements show it: a stable code and a message (never a secret). */
export interface ShownError {
  readonly code: string;
  readonly message: string;
}

/**
 * Turns whatever a client threw into `{code, message}`: a `CtdError` (or a transport error that
 * carries its `code`) keeps its code, anything else is `INTERNAL`.
 */
export function toShownError(error: unknown): ShownError {
  if (typeof error === 'object' && error !== null) {
    const e = error as { code?: unknown; message?: unknown };
    const code = typeof e.code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(e.code) ? e.code : 'INTERNAL';
    const message = typeof e.message === 'string' && e.message ? e.message : 'the request failed';
    return { code, message };
  }
  return { code: 'INTERNAL', message: 'the request failed' };
}
