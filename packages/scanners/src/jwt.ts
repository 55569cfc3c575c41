/**
 * Decodes a JWT's payload without verifying it (we only read claims the CLI itself trusts).
 *
 * @param token - a compact JWT
 * @returns the claims, or undefined when the token is not a well-formed JWT
 */
export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => p === '')) return undefined;
  try {
    const json = Buffer.from(parts[1] as string, 'base64url').toString('utf8');
    const value: unknown = JSON.parse(json);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `exp` claim of a JWT as ms since the epoch.
 *
 * @param token - a compact JWT
 */
export function jwtExpiryMs(token: string): number | undefined {
  const exp = decodeJwtPayload(token)?.exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
}
