import type { DiscoveredCredential } from '@ctd/core';
import { ENDPOINTS, type EndpointId, hostOf, hostUnder, trimBase } from './endpoints.ts';
import type { CheckContext, CheckOutcome } from './types.ts';

/** A base URL to check against, or the reason not to send the secret anywhere. */
export type BaseChoice =
  | { readonly url: string; readonly id?: EndpointId }
  | { readonly refused: CheckOutcome };

/**
 * The outcome when the store points a credential at a host that is not its provider's: the
 * secret is sent only to its provider's hosts, or to an endpoint the caller overrode.
 */
export function refusedHost(credential: DiscoveredCredential, who: string, id: EndpointId): CheckOutcome {
  const host = hostOf(credential.baseUrl ?? '');
  return {
    status: 'unknown',
    reason: `the store points this credential at ${host}, which is not a ${who} host; it was not sent there (set ${ENDPOINTS[id].envVar} to check it at that address)`,
  };
}

/**
 * Chooses where to check a credential: the caller's override for the endpoint, else the base URL
 * the store gives (only when its host is one of the provider's domains), else the default.
 *
 * @param ctx - the check context
 * @param credential - the credential
 * @param id - the endpoint
 * @param domains - the provider's domains, e.g. `['openai.com']`
 * @param who - the provider's name, for the refusal reason
 */
export function chooseBase(
  ctx: CheckContext,
  credential: DiscoveredCredential,
  id: EndpointId,
  domains: readonly string[],
  who: string,
): BaseChoice {
  const override = ctx.override(id);
  if (override) return { url: override, id };
  if (credential.baseUrl) {
    if (!hostUnder(credential.baseUrl, domains)) return { refused: refusedHost(credential, who, id) };
    return { url: trimBase(credential.baseUrl), id };
  }
  return { url: ctx.baseUrl(id), id };
}

/**
 * Candidate regions for a key whose store does not say which region it belongs to. When the caller
 * overrode some of them, only those are used: an override means "check here", and a fallback to
 * a real host would defeat it (tests, air-gapped machines).
 *
 * @param ctx - the check context
 * @param ids - the endpoints to try, in order
 */
export function regionCandidates(
  ctx: CheckContext,
  ids: readonly EndpointId[],
): Array<{ url: string; id: EndpointId }> {
  const overridden = ids.filter((id) => ctx.override(id) !== undefined);
  const use = overridden.length > 0 ? overridden : ids;
  return use.map((id) => ({ id, url: ctx.baseUrl(id) }));
}

/** The `Authorization: Bearer` header for a credential. Only for requests to its provider. */
export function bearer(credential: DiscoveredCredential): Record<string, string> {
  return { authorization: `Bearer ${credential.secret.reveal()}` };
}
