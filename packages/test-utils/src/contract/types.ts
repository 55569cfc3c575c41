// The shape of an adapter as the contract suite sees it. It mirrors `SourceAdapter` from
// `@ctd/scanners` structurally, so that this package does not depend on the package it tests
// (`@ctd/scanners` depends on this one for its tests).
import type {
  CheckedLocation,
  CredentialInfo,
  CredentialKind,
  DiscoveredCredential,
  PolicyNote,
  ScanIssue,
} from '@ctd/core';

/** What an adapter may look at (`ScanContext` of `@ctd/scanners`). */
export interface ContractScanContext {
  readonly home: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly hostname: string;
  readonly username: string;
  readonly maxFileBytes: number;
  readonly now: Date;
  readonly adapters?: readonly ContractAdapter[];
}

/** A file an adapter reads (`StoreFile`). */
export interface ContractStoreFile {
  readonly path: string;
  readonly format: 'json' | 'toml' | 'dotenv' | 'encrypted';
  readonly holdsSecrets: boolean;
  readonly maxBytes?: number;
}

/** New tokens from a refresh (`RefreshedTokens`). */
export interface ContractRefreshedTokens {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly idToken?: string;
  readonly expiresAtMs?: number;
  readonly expiresInSeconds?: number;
}

/** The facts the contract checks about a provider (`ProviderFacts`). */
export interface ContractProviderFacts {
  readonly keyPage?: string;
  readonly loginPolicy?: PolicyNote;
  readonly noGatewayProvider?: { readonly reason: string; readonly whatToDo: string };
  readonly externalGatewayPlugin?: boolean;
  readonly oauthRefresh?: boolean;
}

/** An adapter, as far as the contract suite uses it (`SourceAdapter` of `@ctd/scanners`). */
export interface ContractAdapter {
  readonly id: string;
  readonly displayName: string;
  readonly aliases: readonly string[];
  readonly defaultPriority: number;
  readonly loginHint: string;
  readonly login: { readonly command: string; readonly browserCommand?: string } | null;
  readonly loginProvider: string | null;
  readonly providers: Readonly<Record<string, ContractProviderFacts>>;
  readonly loginReusedByGateway?: { readonly reason: string; readonly whatToDo: string };
  files(ctx: ContractScanContext): readonly ContractStoreFile[];
  scan(ctx: ContractScanContext): Promise<{
    readonly credentials: DiscoveredCredential[];
    readonly issues: ScanIssue[];
    readonly locations: CheckedLocation[];
  }>;
  recognizePasted?(
    token: string,
  ): readonly { provider: string; kind: CredentialKind; label: string; baseUrl?: string }[];
  lockProtocol?(ctx: ContractScanContext): {
    readonly kind: 'o-excl' | 'flock' | 'reload-compare' | 'in-process' | 'none';
    readonly lockPath?: string;
    readonly staleAfterMs?: number;
  };
  withLock?<T>(ctx: ContractScanContext, credential: CredentialInfo, fn: () => Promise<T>): Promise<T>;
  writeBack?(
    ctx: ContractScanContext,
    credential: DiscoveredCredential,
    tokens: ContractRefreshedTokens,
  ): Promise<void>;
}
