// Test support for the adapters' refresh tests: sends an adapter's refresh request with plain
// `fetch` (as the refresher would, without its retries), and runs one whole refresh by hand.
import { readFile } from 'node:fs/promises';
import type { DiscoveredCredential } from '@ctd/core';
import { createScanContext } from '../../context.ts';
import { scan } from '../../scan.ts';
import type { OAuthRefreshAnswer, OAuthRefreshRequest, ScanContext, SourceAdapter } from '../../types.ts';

/** What came back for a refresh request: the status and the parsed JSON (null when not JSON). */
export interface SentRefresh {
  readonly status: number;
  readonly body: unknown;
}

/**
 * Sends a refresh request with `fetch`, the body encoded as its type says.
 *
 * @param request - the adapter's request
 */
export async function sendRefresh(request: OAuthRefreshRequest): Promise<SentRefresh> {
  const json = request.body.type === 'json';
  const response = await fetch(request.url, {
    method: 'POST',
    headers: {
      ...request.headers,
      'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded',
    },
    body: json
      ? JSON.stringify(request.body.value)
      : new URLSearchParams(request.body.value as Record<string, string>).toString(),
  });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: response.status, body };
}

/** A scan context for a test environment. */
export function testContext(env: Record<string, string>): ScanContext {
  return createScanContext({ env });
}

/** Scans with one adapter and returns its credentials. */
export async function scanWith(
  adapter: SourceAdapter,
  env: Record<string, string>,
): Promise<DiscoveredCredential[]> {
  return (await scan({ adapters: [adapter], env })).credentials;
}

/**
 * One refresh as the refresher does it, without retries: under the adapter's lock, the request,
 * the answer, and (when it succeeded) the write-back.
 *
 * @param adapter - the adapter
 * @param env - the environment (HOME and the `CTD_*_OAUTH_URL` override)
 * @param credential - the login to refresh
 */
export async function refreshOnce(
  adapter: SourceAdapter,
  env: Record<string, string>,
  credential: DiscoveredCredential,
): Promise<OAuthRefreshAnswer> {
  const ctx = testContext(env);
  const spec = adapter.oauthRefresh?.(credential);
  if (!spec) throw new Error(`${credential.id} has no refresh`);
  const run = async () => {
    const sent = await sendRefresh(spec.request(ctx, credential));
    const answer = spec.parse(sent.status, sent.body, new Date());
    if (answer.ok) await adapter.writeBack?.(ctx, credential, answer.tokens);
    return answer;
  };
  return adapter.withLock ? adapter.withLock(ctx, credential, run) : run();
}

/** The text of a file. */
export function text(path: string): Promise<string> {
  return readFile(path, 'utf8');
}
