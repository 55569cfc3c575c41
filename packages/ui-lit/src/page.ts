// The standalone page script of `ctd serve`: the elements, registered, on `<ctd-token-discovery>`
// over the HTTP API. The token comes in the URL's fragment (never sent to a server, never in a
// log), is moved to sessionStorage and taken out of the address bar at once.
import './define.ts';
import { createHttpClient } from './http-client.ts';

const KEY = 'ctd-serve-token';
const fragment = new URLSearchParams(location.hash.slice(1));
const fromUrl = fragment.get('token');
if (fromUrl) {
  sessionStorage.setItem(KEY, fromUrl);
  history.replaceState(null, '', location.pathname);
}
const token = sessionStorage.getItem(KEY);
const page = document.createElement('ctd-token-discovery');
if (token) {
  page.client = createHttpClient({ token });
  document.querySelector('main')?.append(page);
} else {
  const p = document.createElement('p');
  p.textContent = 'Open the address `ctd serve` printed (it carries the access token).';
  document.querySelector('main')?.append(p);
}
