type Env = Readonly<Record<string, string | undefined>>;

/** The variable that lets a credential travel over plain http to a host that is not loopback. */
export const ALLOW_INSECURE_ENV = 'CTD_ALLOW_INSECURE_BASE_URL';

/**
 * Whether a host name is this machine's loopback: `localhost`, `127.0.0.0/8`, `::1` (and
 * 127.0.0.0/8 written as an IPv4-mapped IPv6 address). Takes `URL.hostname`, which has already
 * normalised other spellings (`0x7f.1`, `[0:0:0:0:0:0:0:1]`) to these.
 *
 * @param hostname - a URL's hostname (IPv6 in brackets or not)
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  if (h === 'localhost' || h === '::1') return true;
  if (/^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(h)) return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Whether the caller allowed plain http to hosts that are not loopback
 * (`CTD_ALLOW_INSECURE_BASE_URL=1`).
 *
 * @param env - the environment given by the caller
 */
export function insecureAllowed(env: Env): boolean {
  const value = env[ALLOW_INSECURE_ENV]?.trim().toLowerCase();
  return value === '1' || value === 'true';
}

/** How a credential may be sent to a URL. */
export type TransportDecision =
  /** Over TLS, or to this machine. */
  | { readonly kind: 'ok' }
  /** Over plain http to another host, because the caller allowed it: warn on every use. */
  | { readonly kind: 'insecure'; readonly host: string }
  /** Not at all; the reason says why and what to do. */
  | { readonly kind: 'refused'; readonly reason: string };

/**
 * Decides whether a credential may be sent to a URL: `https` always; plain `http` only to
 * loopback, unless `CTD_ALLOW_INSECURE_BASE_URL=1`; no other scheme. The rule holds for every
 * request, whatever chose the URL: a built-in default, an override, or a base URL from the store.
 *
 * @param url - the request URL
 * @param env - the environment given by the caller
 */
export function transportFor(url: URL, env: Env): TransportDecision {
  if (url.protocol === 'https:') return { kind: 'ok' };
  if (url.protocol !== 'http:') {
    return {
      kind: 'refused',
      reason: `the endpoint's scheme ${url.protocol} is not https; nothing was sent`,
    };
  }
  if (isLoopbackHost(url.hostname)) return { kind: 'ok' };
  if (insecureAllowed(env)) return { kind: 'insecure', host: url.host };
  return {
    kind: 'refused',
    reason: `the endpoint http://${url.host} is not https and not on this machine, so the credential was not sent (it would travel in plain text); use https, or set ${ALLOW_INSECURE_ENV}=1 to allow it`,
  };
}
