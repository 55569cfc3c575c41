/**
 * Builds an unsigned JWT-shaped token with the given claims (signature is a placeholder).
 *
 * @param claims - payload claims
 */
export function fakeJwt(claims: Record<string, unknown>): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc(claims)}.c2lnLXRlc3QtcGxhY2Vob2xkZXI`;
}
