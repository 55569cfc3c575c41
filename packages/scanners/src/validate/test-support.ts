import type { CredentialKind, DiscoveredCredential, ValidationResult } from '@ctd/core';
import { type CredentialDraft, makeCredential } from '../credential.ts';

/** The fixed clock of the validator tests, so that `retryAfter` can be compared exactly. */
export const TEST_NOW = new Date('2026-09-06T12:00:00.000Z');

/** A credential for a validator test; the secret must be a placeholder. */
export function testCredential(
  draft: Pick<CredentialDraft, 'provider' | 'secret'> & Partial<CredentialDraft> & { kind?: CredentialKind },
): DiscoveredCredential {
  return makeCredential({
    source: 'environment',
    kind: 'api_key',
    label: 'test credential',
    origin: { type: 'env', variable: 'TEST_PLACEHOLDER_KEY' },
    ...draft,
  });
}

/**
 * A behavior name as it goes into a test key: in hex, so that no piece of a key is a word the fake
 * provider answers with (the client redacts every piece of 8 characters or more of a key it reads).
 */
export function keyTag(behavior: string): string {
  return Buffer.from(behavior, 'utf8').toString('hex');
}

/** `TEST_NOW` plus some seconds, as ISO 8601. */
export function secondsAfterNow(seconds: number): string {
  return new Date(TEST_NOW.getTime() + seconds * 1000).toISOString();
}

/** What a table row expects of a result. */
export interface Expected {
  status: ValidationResult['status'];
  httpStatus?: number;
  providerCode?: string;
  retryAfter?: string;
  /** A fragment the reason must contain. */
  reason?: RegExp;
}

/** The fields of a result that a table row compares. */
export function pick(result: ValidationResult | undefined, expected: Expected): Partial<ValidationResult> {
  if (!result) return {};
  const out: Partial<ValidationResult> = { status: result.status };
  if ('httpStatus' in expected) out.httpStatus = result.httpStatus;
  if ('providerCode' in expected) out.providerCode = result.providerCode;
  if ('retryAfter' in expected) out.retryAfter = result.retryAfter;
  return out;
}
