import { basename } from 'node:path';
import type { CheckedLocation, CtdErrorCode, DiscoveredCredential, ScanIssue, SourceId } from '@ctd/core';
import type * as z from 'zod/mini';
import { buildCredential, type CredentialDraft } from './draft.ts';
import {
  checkShape,
  parseDotEnv,
  parseJsonText,
  parseTomlText,
  type ReadResult,
  readTextFile,
} from './read.ts';
import type { ScanContext, SourceFacts, SourceScanResult } from './types.ts';

/**
 * Gathers what one adapter finds: credentials, issues and every location looked at. Its read
 * helpers turn each kind of bad input into one issue with the path and a content-free reason.
 */
export class SourceCollector {
  readonly credentials: DiscoveredCredential[] = [];
  readonly issues: ScanIssue[] = [];
  readonly locations: CheckedLocation[] = [];

  readonly source: SourceId;
  readonly ctx: ScanContext;
  readonly #adapter: SourceFacts | undefined;

  /**
   * @param adapter - the adapter whose findings these are (its facts give each credential its
   *   policy, key page and login command), or just its source id (then looked up in the adapter list)
   * @param ctx - the scan's context
   */
  constructor(adapter: SourceFacts | SourceId, ctx: ScanContext) {
    this.source = typeof adapter === 'string' ? adapter : adapter.id;
    this.#adapter = typeof adapter === 'string' ? ctx.adapters?.find((a) => a.id === adapter) : adapter;
    this.ctx = ctx;
  }

  /** Records a credential. */
  found(draft: Omit<CredentialDraft, 'source'>): DiscoveredCredential {
    const credential = buildCredential(
      { ...draft, source: this.source },
      this.#adapter,
      this.ctx.adapters ?? [],
    );
    this.credentials.push(credential);
    return credential;
  }

  /** Records a location that was looked at. */
  checked(location: string, result: CheckedLocation['result'], reason: string): void {
    this.locations.push({ source: this.source, location, result, reason });
  }

  /** Records a problem with a location (and the location itself). */
  problem(path: string, code: CtdErrorCode, reason: string, severity: ScanIssue['severity'] = 'error'): void {
    this.issues.push({
      source: this.source,
      path,
      code,
      message: `${basename(path) || path} ${reason}`,
      severity,
    });
    this.checked(path, severity === 'error' ? 'error' : 'skipped', reason);
  }

  /** Turns a failed read into an issue; returns the value when it succeeded. */
  settle<T>(path: string, result: ReadResult<T>, missingReason = 'does not exist'): T | undefined {
    if (result.status === 'ok') return result.value;
    if (result.status === 'missing') this.checked(path, 'missing', missingReason);
    else this.problem(path, result.code, result.reason);
    return undefined;
  }

  /** Reads a text file with the common checks; `maxBytes` overrides the context's size cap. */
  async readText(path: string, maxBytes: number = this.ctx.maxFileBytes): Promise<string | undefined> {
    return this.settle(path, await readTextFile(path, maxBytes));
  }

  /** Reads and parses a JSON file, optionally checking its shape. */
  async readJson<T = unknown>(
    path: string,
    schema?: z.core.$ZodType<T>,
    maxBytes?: number,
  ): Promise<T | undefined> {
    const text = await this.readText(path, maxBytes);
    if (text === undefined) return undefined;
    const parsed = this.settle(path, parseJsonText(text));
    if (parsed === undefined) return undefined;
    return schema ? this.settle(path, checkShape(schema, parsed)) : (parsed as T);
  }

  /** Reads and parses a TOML file. */
  async readToml(path: string): Promise<Record<string, unknown> | undefined> {
    const text = await this.readText(path);
    if (text === undefined) return undefined;
    return this.settle(path, parseTomlText(text));
  }

  /** Reads a `.env` file. */
  async readDotEnv(path: string): Promise<Map<string, string> | undefined> {
    const text = await this.readText(path);
    return text === undefined ? undefined : parseDotEnv(text);
  }

  /** Reads an environment variable, recording the lookup. Blank values count as unset. */
  env(name: string): string | undefined {
    const value = this.ctx.env[name]?.trim();
    if (value) return value;
    this.checked(`$${name}`, 'missing', 'not set');
    return undefined;
  }

  /** The adapter's result. */
  result(): SourceScanResult {
    return {
      source: this.source,
      credentials: this.credentials,
      issues: this.issues,
      locations: this.locations,
    };
  }
}
