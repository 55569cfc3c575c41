import { redact, toCtdError } from '@ctd/core';
import type { GatewayErrorShape } from './host-types.ts';

/**
 * Maps an error from the service to a gateway error: bad params and unknown ids are the caller's
 * (`INVALID_REQUEST`); anything else is `UNAVAILABLE`. Messages are the service's own (secret-free);
 * `secrets` are redacted as a last guard.
 */
export function toGatewayError(error: unknown, secrets: readonly string[] = []): GatewayErrorShape {
  const { code, message: raw } = toCtdError(error);
  const message = redact(raw, secrets);
  if (code === 'BAD_USAGE' || code === 'NOT_FOUND') {
    return { code: 'INVALID_REQUEST', message, details: { code } };
  }
  return { code: 'UNAVAILABLE', message, details: { code }, retryable: true };
}
