// The browser entry of the element tests and the bench: the elements, registered, and the fake
// client on `window.ctdTest`.
import '../define.ts';
import { createFakeClient, makeCredentials } from './fake-client.ts';

declare global {
  interface Window {
    ctdTest: { createFakeClient: typeof createFakeClient; makeCredentials: typeof makeCredentials };
  }
}

window.ctdTest = { createFakeClient, makeCredentials };
