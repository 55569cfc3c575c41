import { KnownProvider } from '../adapters/providers.ts';
import { chooseBase } from './base.ts';
import {
  isObject,
  noEvidence,
  num,
  outcome,
  providerError,
  rejected,
  serverError,
  str,
  unexpected,
} from './classify.ts';
import type { CheckOutcome, Validator } from './types.ts';

const WHO = 'Google OAuth';

/**
 * Google OAuth access token (Gemini CLI login): `GET {base}/tokeninfo?access_token=…`, the check
 * Gemini CLI itself makes to see that a token is not revoked. 200 returns the scopes and the
 * remaining lifetime; 400 `invalid_token` means expired or revoked. The refresh token is never
 * used (refreshing belongs to the refresher).
 *
 * [U] tokeninfo's error status: 400 is documented; a 401 is treated the same.
 */
export const googleOAuthValidator: Validator = {
  id: 'google-oauth',
  description: 'Google OAuth access token (Gemini CLI): GET oauth2.googleapis.com/tokeninfo',
  appliesTo: (c) =>
    (c.provider === KnownProvider.googleGeminiCli || c.provider === KnownProvider.google) &&
    c.kind !== 'api_key',
  async check(credential, ctx) {
    const base = chooseBase(ctx, credential, 'google-gemini-cli', ['googleapis.com'], 'Google');
    if ('refused' in base) return base.refused;
    // The token goes in the query as documented; results show the endpoint without the query, and
    // over HTTPS a proxy sees only the host.
    const out = await ctx.request({
      url: `${base.url}/tokeninfo?access_token=${encodeURIComponent(credential.secret.reveal())}`,
    });
    const none = noEvidence(out, WHO);
    if (none || out.kind === 'failure') return none as CheckOutcome;
    const body = out.json;
    if (out.status === 200) {
      if (
        !isObject(body) ||
        (body.expires_in === undefined && body.exp === undefined && body.scope === undefined)
      ) {
        return outcome(out, 'unknown', `HTTP 200 from ${WHO}, but the body is not token information`);
      }
      const expiresIn = num(body.expires_in);
      const scopes = (str(body.scope) ?? '').split(' ').filter(Boolean);
      return outcome(
        out,
        'valid',
        `${WHO} accepted the access token${expiresIn !== undefined ? ` (expires in ${Math.round(expiresIn / 60)} min)` : ''}`,
        { quota: { scopes, ...(expiresIn !== undefined ? { expiresInSeconds: expiresIn } : {}) } },
      );
    }
    const err = providerError(body);
    if (out.status >= 500) return serverError(out, WHO, err);
    if ((out.status === 400 || out.status === 401) && err) return rejected(credential, out, WHO, err);
    return unexpected(out, WHO, err);
  },
};
