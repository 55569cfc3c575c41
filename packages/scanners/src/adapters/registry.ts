// Lookups over the adapter list. Every per-CLI table of the other packages (config keys and their
// aliases, priorities, login commands, key pages, policies, gateway facts) is derived from here.
import type { CredentialKind, PolicyNote, ProviderId, RefreshMethod, SourceId } from '@ctd/core';
import { factsFor, mergeProviderFacts, policyFrom, refreshMethodsFrom } from '../policy.ts';
import type { ProviderFacts, SourceAdapter, SourceFacts } from '../types.ts';
import { ALL_ADAPTERS } from './index.ts';

/** A list of adapters to look in; every lookup defaults to the built-in {@link ALL_ADAPTERS}. */
export type AdapterList = readonly SourceAdapter[];

/**
 * The adapter of a source id.
 *
 * @param id - a source id
 * @param adapters - where to look
 * @returns the adapter, or undefined for an unknown id
 */
export function adapterById(id: string, adapters: AdapterList = ALL_ADAPTERS): SourceAdapter | undefined {
  return adapters.find((a) => a.id === id);
}

/**
 * The sources a name stands for: a source id gives itself, an alias every source that carries it
 * (in list order), anything else none.
 *
 * @param name - a source id or an alias a user typed (a `cliSources` key, a CLI argument)
 * @param adapters - where to look
 * @example sourcesForName(alias) // every source that carries the alias, in list order
 */
export function sourcesForName(name: string, adapters: AdapterList = ALL_ADAPTERS): SourceId[] {
  const byId = adapterById(name, adapters);
  if (byId) return [byId.id];
  return adapters.filter((a) => a.aliases.includes(name)).map((a) => a.id);
}

/**
 * What the adapters know about a provider, merged field by field: the first adapter in the list
 * that states a field wins.
 *
 * @param provider - a provider id
 * @param adapters - where to look
 * @returns the merged facts (empty when no adapter names the provider)
 */
export function providerFacts(provider: ProviderId, adapters: AdapterList = ALL_ADAPTERS): ProviderFacts {
  return mergeProviderFacts(provider, adapters);
}

/**
 * Where a provider issues API keys, from the first adapter that names a key page for it.
 *
 * @param provider - a provider id
 * @param adapters - where to look
 * @returns the page's URL, or null when no adapter knows one
 */
export function keyPageFor(provider: ProviderId, adapters: AdapterList = ALL_ADAPTERS): string | null {
  return providerFacts(provider, adapters).keyPage ?? null;
}

/**
 * Every provider id some adapter yields credentials for, each once, in list order.
 *
 * @param adapters - where to look
 */
export function allProviderIds(adapters: AdapterList = ALL_ADAPTERS): ProviderId[] {
  return [...new Set(adapters.flatMap((a) => Object.keys(a.providers)))];
}

function resolve(source: SourceId | SourceFacts, adapters: AdapterList): SourceFacts | undefined {
  return typeof source === 'string' ? adapterById(source, adapters) : source;
}

/**
 * The dated policy note for a credential of this provider and kind, as its source sees it:
 * API keys are fine everywhere; a login gets its provider's policy.
 *
 * @param provider - the credential's provider
 * @param kind - the credential's kind
 * @param source - the source it came from (id or adapter), whose facts come first
 * @param adapters - the adapter list to fall back on
 */
export function policyFor(
  provider: ProviderId,
  kind: CredentialKind,
  source?: SourceId | SourceFacts,
  adapters: AdapterList = ALL_ADAPTERS,
): PolicyNote {
  const own = source === undefined ? undefined : resolve(source, adapters);
  return policyFrom(factsFor(own, provider, adapters), kind);
}

/**
 * The ways to renew or replace a credential of this source, provider and kind, best first.
 *
 * @param source - where it was found (a source id, or the adapter)
 * @param provider - its provider
 * @param kind - its kind
 * @param hasRefreshToken - whether the store holds a refresh token
 * @param adapters - the adapter list to look in
 */
export function refreshMethodsFor(
  source: SourceId | SourceFacts,
  provider: ProviderId,
  kind: CredentialKind,
  hasRefreshToken: boolean,
  adapters: AdapterList = ALL_ADAPTERS,
): RefreshMethod[] {
  const own = resolve(source, adapters);
  return refreshMethodsFrom(own, factsFor(own, provider, adapters), kind, hasRefreshToken);
}
