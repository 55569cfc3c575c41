import { basename } from 'node:path';
import {
  type CheckedLocation,
  CtdErrorCode,
  type DiscoveredCredential,
  type ScanIssue,
  type ScanReport,
  type SourceId,
  toCredentialInfo,
} from '@ctd/core';
import { ALL_ADAPTERS } from './adapters/index.ts';
import { createScanContext, type ScanContextOptions } from './context.ts';
import type { ScanContext, SourceAdapter, SourceScanResult } from './types.ts';
import { windowsHomeOf } from './wsl.ts';

/** Options for {@link scan}. */
export interface ScanOptions extends ScanContextOptions {
  /**
   * Which adapters to run (their facts come first, before the built-in adapters'). @default every
   * built-in adapter
   */
  adapters?: readonly SourceAdapter[] | undefined;
  /** Only run these sources. @default all */
  sources?: readonly SourceId[] | undefined;
  /** A ready context; when given, the context options are ignored. */
  context?: ScanContext | undefined;
  /**
   * A Windows home to scan too, each credential found there labelled "(Windows side)". `null`
   * turns it off. @default under WSL, the Windows user's folder of /mnt/c/Users (see
   * `CTD_WINDOWS_HOME`)
   */
  windowsHome?: string | null | undefined;
}

/** The result of a scan: credentials with their secrets in memory, and what went wrong where. */
export interface ScanResult {
  readonly scannedAt: string;
  readonly credentials: DiscoveredCredential[];
  readonly issues: ScanIssue[];
  readonly locations: CheckedLocation[];
  /** The sources that were scanned. */
  readonly sources: SourceId[];
}

/** Runs one adapter; a bug in it becomes an issue and must not hide what the others found. */
async function runAdapter(adapter: SourceAdapter, ctx: ScanContext): Promise<SourceScanResult> {
  try {
    return await adapter.scan(ctx);
  } catch (error) {
    const issue: ScanIssue = {
      source: adapter.id,
      path: '',
      code: CtdErrorCode.ADAPTER_FAILED,
      message: `the ${adapter.displayName} scanner failed unexpectedly (${error instanceof Error ? error.name : 'error'})`,
      severity: 'error',
    };
    return { source: adapter.id, credentials: [], issues: [issue], locations: [] };
  }
}

function mergeDuplicates(credentials: DiscoveredCredential[]): DiscoveredCredential[] {
  const byKey = new Map<string, DiscoveredCredential>();
  const out: DiscoveredCredential[] = [];
  for (const c of credentials) {
    const key = `${c.provider}\0${c.hash}`;
    const first = byKey.get(key);
    if (!first) {
      byKey.set(key, c);
      out.push(c);
      continue;
    }
    // The same secret found twice (a key in a file and in the environment): one entry, both places.
    const also = first.alsoFoundAt ?? [];
    also.push(c.origin);
    (first as { alsoFoundAt?: typeof also }).alsoFoundAt = also;
  }
  return out;
}

/**
 * Scans every source (or the chosen ones) for credentials. Never throws for bad input: each
 * problem becomes an issue, and the other sources are still scanned. Makes no network calls.
 *
 * @param options - context overrides and adapter selection
 * @returns the credentials found, with issues and the locations checked
 * @example
 * const { credentials, issues } = await scan({ env: { HOME: '/tmp/home' } });
 */
export async function scan(options: ScanOptions = {}): Promise<ScanResult> {
  let adapters = options.adapters ?? ALL_ADAPTERS;
  // Facts an adapter does not state come from the adapters it runs with, then the built-in ones.
  const factSources = [...adapters, ...ALL_ADAPTERS.filter((a) => !adapters.includes(a))];
  const ctx = options.context ?? createScanContext({ ...options, adapters: factSources });
  if (options.sources) adapters = adapters.filter((a) => options.sources?.includes(a.id));
  const results = await Promise.all(adapters.map((adapter) => runAdapter(adapter, ctx)));
  // Under WSL the Windows side has logins of its own: the same adapters over that home, with
  // nothing of the Linux environment (its path overrides name Linux paths).
  const windowsHome =
    options.windowsHome === null
      ? undefined
      : (options.windowsHome ?? (await windowsHomeOf(ctx.env, ctx.username)));
  if (windowsHome && windowsHome !== ctx.home) {
    const winCtx = createScanContext({
      env: { HOME: windowsHome, USERPROFILE: windowsHome },
      home: windowsHome,
      hostname: ctx.hostname,
      username: basename(windowsHome),
      maxFileBytes: ctx.maxFileBytes,
      now: ctx.now,
      adapters: factSources,
    });
    const fromWindows = await Promise.all(
      adapters.filter((a) => a.id !== 'environment').map((adapter) => runAdapter(adapter, winCtx)),
    );
    for (const r of fromWindows) {
      for (const c of r.credentials) (c as { label: string }).label = `${c.label} (Windows side)`;
    }
    results.push(...fromWindows);
  }
  return {
    scannedAt: ctx.now.toISOString(),
    credentials: mergeDuplicates(results.flatMap((r) => r.credentials)),
    issues: results.flatMap((r) => r.issues),
    locations: results.flatMap((r) => r.locations),
    sources: adapters.map((a) => a.id),
  };
}

/**
 * The serializable report of a scan (`ctd scan --json`): no secrets.
 *
 * @param result - a scan result
 * @param withLocations - include every location checked
 */
export function toScanReport(result: ScanResult, withLocations = false): ScanReport {
  return {
    version: 1,
    scannedAt: result.scannedAt,
    credentials: result.credentials.map(toCredentialInfo),
    issues: result.issues,
    ...(withLocations ? { locations: result.locations } : {}),
  };
}
