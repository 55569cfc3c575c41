import type { Account, CredentialKind, DiscoveredCredential, Origin, ProviderId, SourceId } from '@ctd/core';
import { Secret, sha256Hex } from '@ctd/core/node';
import { factsFor, policyFrom, refreshMethodsFrom } from './policy.ts';
import type { SourceAdapter, SourceFacts } from './types.ts';

/** What an adapter knows about a credential; {@link makeCredential} derives the rest. */
export interface CredentialDraft {
  source: SourceId;
  provider: ProviderId;
  kind: CredentialKind;
  label: string;
  /** The API key or access token. */
  secret: string;
  refreshToken?: string | undefined;
  /** Expiry as a Date, ms since the epoch, or null when unknown. */
  expiresAt?: Date | number | null | undefined;
  /** The refresh token's own end of life, where the store says (ms since the epoch or a Date). */
  refreshExpiresAt?: Date | number | null | undefined;
  account?: Account | undefined;
  origin: Origin;
  baseUrl?: string | undefined;
  /** Set when the refresh token is never rotated (Google), so its hash is a stable id. */
  refreshTokenIsStable?: boolean;
}

function short(value: string): string {
  return sha256Hex(value).slice(0, 12);
}

function originKey(origin: Origin): string {
  switch (origin.type) {
    case 'file':
      return `${origin.path}#${origin.field}`;
    case 'env':
      return `$${origin.variable}`;
    case 'env-file':
      return `${origin.path}#${origin.variable}`;
    case 'manual':
      return `manual:${origin.via}`;
  }
}

function stableId(d: CredentialDraft): string {
  const prefix = `${d.source}:${d.provider}`;
  if (d.kind === 'api_key') return `${prefix}:key-${short(d.secret)}`;
  const account = d.account?.accountId ?? d.account?.email ?? d.account?.userId;
  if (account) return `${prefix}:acct-${short(account)}`;
  if (d.refreshToken && d.refreshTokenIsStable) return `${prefix}:rt-${short(d.refreshToken)}`;
  // One login per store location: the place is stable across refreshes, the tokens are not.
  return `${prefix}:loc-${short(originKey(d.origin))}`;
}

function toIso(value: Date | number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const d = typeof value === 'number' ? new Date(value) : value;
  return Number.isFinite(d.getTime()) ? d.toISOString() : null;
}

function dropUndefined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined && v !== '')) as T;
}

/**
 * Builds a discovered credential from an adapter's draft: stable id, hash, preview, policy,
 * refresh methods. The policy, key page and login command come from the adapter's own facts, then
 * from the adapter list. The secrets are attached as non-enumerable properties, so they never
 * serialize. {@link SourceCollector} calls it; outside a scan use `makeCredential`.
 *
 * @param draft - what the adapter read
 * @param adapter - the adapter the draft comes from, when known
 * @param adapters - the adapter list whose facts fill in what the adapter does not state
 */
export function buildCredential(
  draft: CredentialDraft,
  adapter: SourceFacts | undefined,
  adapters: readonly Pick<SourceAdapter, 'providers'>[],
): DiscoveredCredential {
  const facts = factsFor(adapter, draft.provider, adapters);
  const secret = new Secret(draft.secret);
  const hasRefreshToken = Boolean(draft.refreshToken);
  const refreshEnd = draft.refreshToken ? toIso(draft.refreshExpiresAt) : null;
  const credential = {
    id: stableId(draft),
    source: draft.source,
    provider: draft.provider,
    kind: draft.kind,
    label: draft.label,
    hash: secret.hash,
    preview: secret.preview,
    expiresAt: toIso(draft.expiresAt),
    ...(refreshEnd ? { refreshExpiresAt: refreshEnd } : {}),
    account: dropUndefined(draft.account ?? {}),
    origin: draft.origin,
    hasRefreshToken,
    ...(draft.baseUrl ? { baseUrl: draft.baseUrl } : {}),
    policy: policyFrom(facts, draft.kind),
    refreshMethods: refreshMethodsFrom(adapter, facts, draft.kind, hasRefreshToken),
    keyPage: facts.keyPage ?? null,
  };
  Object.defineProperty(credential, 'secret', { value: secret, enumerable: false });
  if (draft.refreshToken) {
    Object.defineProperty(credential, 'refreshSecret', {
      value: new Secret(draft.refreshToken),
      enumerable: false,
    });
  }
  return credential as DiscoveredCredential;
}
