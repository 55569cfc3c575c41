import type { CredentialInfo, ValidationResult } from '@ctd/core';
import { ALL_ADAPTERS, adapterById, providerFacts, type SourceAdapter } from '@ctd/scanners';
import { type ServiceConfig, sourceConfig } from './config.ts';

/** What to write into the gateway for one credential. Never carries the secret itself. */
export interface ImportAction {
  readonly action: 'import';
  readonly credentialId: string;
  /** The gateway's profile id: provider, then where the credential came from. */
  readonly profileId: string;
  readonly provider: string;
  /**
   * `api_key` for keys; `token` for CLI logins: imported without their refresh token, so the
   * gateway uses the access token but can never spend the CLI's single-use refresh token.
   */
  readonly mode: 'api_key' | 'token';
  /** Expiry of a token profile, ms since the epoch. */
  readonly expiresAtMs?: number;
  readonly email?: string;
  readonly displayName: string;
}

/** Why a credential is not imported, and what the user can do about it. */
export interface SkipAction {
  readonly action: 'skip';
  readonly credentialId: string;
  /** Stable reason code. */
  readonly code:
    | 'source-disabled'
    | 'no-provider'
    | 'provider-not-installed'
    | 'not-valid'
    | 'needs-opt-in'
    | 'reused-by-host'
    | 'expired';
  readonly reason: string;
  readonly whatToDo: string;
}

/** The import decision for one credential. */
export type ImportPlan = ImportAction | SkipAction;

/** What the host (OpenClaw) tells the planner. */
export interface ImportHostFacts {
  /** Provider ids the host can use, or null when it cannot tell. */
  readonly availableProviders: ReadonlySet<string> | null;
  /** `provider:accountId` and `provider:email` of logins the host already reuses on its own. */
  readonly reusedAccounts?: ReadonlySet<string>;
}

function shortIdOf(credential: CredentialInfo): string {
  // The stable id ends in `acct-…`, `key-…`, `rt-…` or `loc-…`: keep that, so the profile id is stable too.
  return credential.id.split(':').pop() ?? credential.hash.slice(0, 12);
}

/**
 * Decides whether and how a discovered credential is imported into the gateway.
 * Pure: the same inputs always give the same plan, which is what makes import idempotent.
 *
 * @param credential - the credential's public facts
 * @param validation - its live check, when one ran
 * @param config - the service configuration
 * @param host - what the gateway can use
 * @param adapters - the sources' facts (the built-in adapter list by default)
 */
export function planImport(
  credential: CredentialInfo,
  validation: ValidationResult | undefined,
  config: ServiceConfig,
  host: ImportHostFacts,
  adapters: readonly SourceAdapter[] = ALL_ADAPTERS,
): ImportPlan {
  const source = credential.source;
  const settings = sourceConfig(config, source);
  const adapter = adapterById(source, adapters);
  const skip = (code: SkipAction['code'], reason: string, whatToDo: string): SkipAction => ({
    action: 'skip',
    credentialId: credential.id,
    code,
    reason,
    whatToDo,
  });
  if (!settings.enabled) {
    return skip(
      'source-disabled',
      `scanning ${source} is turned off`,
      `Set cliSources["${source}"].enabled to true.`,
    );
  }
  const missing = providerFacts(credential.provider, adapters).noGatewayProvider;
  if (missing) return skip('no-provider', missing.reason, missing.whatToDo);
  if (/^[a-z]+:\/\//i.test(credential.provider)) {
    return skip(
      'no-provider',
      'this entry is for a custom endpoint OpenClaw has no provider for',
      'Add the endpoint as a custom provider in OpenClaw.',
    );
  }
  if (host.availableProviders && !host.availableProviders.has(credential.provider)) {
    return skip(
      'provider-not-installed',
      `OpenClaw's "${credential.provider}" provider is not installed`,
      `Install the ${credential.provider} provider plugin in OpenClaw, then scan again.`,
    );
  }
  const reused = adapter?.loginReusedByGateway;
  if (credential.kind !== 'api_key' && reused) return skip('reused-by-host', reused.reason, reused.whatToDo);
  const accountKeys = [credential.account.accountId, credential.account.email]
    .filter(Boolean)
    .map((a) => `${credential.provider}:${a}`);
  if (credential.kind !== 'api_key' && accountKeys.some((k) => host.reusedAccounts?.has(k))) {
    return skip('reused-by-host', 'OpenClaw already uses this login for the same account', 'Nothing to do.');
  }
  if (config.validateTokens && validation?.status !== 'valid') {
    return skip(
      'not-valid',
      validation
        ? `the provider check said ${validation.status}: ${validation.reason}`
        : 'it has not been checked',
      credential.kind === 'api_key'
        ? `Create a new key${credential.keyPage ? ` at ${credential.keyPage}` : ''}.`
        : `Log in again with the CLI, then scan again.`,
    );
  }
  const expiresAtMs = credential.expiresAt ? Date.parse(credential.expiresAt) : undefined;
  if (
    credential.kind !== 'api_key' &&
    expiresAtMs !== undefined &&
    expiresAtMs <= Date.now() &&
    !validation
  ) {
    return skip(
      'expired',
      'the access token has expired',
      'Use the CLI once (it refreshes its own login), then scan again.',
    );
  }
  if (credential.policy.requiresOptIn && !settings.importLogins) {
    return skip(
      'needs-opt-in',
      `${credential.policy.note} (as of ${credential.policy.asOf})`,
      `To import it anyway, set cliSources["${source}"].importLogins to true.`,
    );
  }
  const mode = credential.kind === 'api_key' ? 'api_key' : 'token';
  return {
    action: 'import',
    credentialId: credential.id,
    // The id says where the credential came from: the CLI's store, or a paste (`manual`).
    profileId: `${credential.provider}:ctd-${credential.origin.type === 'manual' ? 'manual' : credential.source}-${shortIdOf(credential)}`,
    provider: credential.provider,
    mode,
    ...(mode === 'token' && expiresAtMs !== undefined ? { expiresAtMs } : {}),
    ...(credential.account.email ? { email: credential.account.email } : {}),
    displayName: `${credential.label} from ${credential.source} (cli-token-discovery)`,
  };
}
