/** Fired by the refresh modal when a login was refreshed or logged in again. */
export class CtdRefreshedEvent extends Event {
  /** The credential concerned. */
  readonly detail: { readonly credentialId: string };

  constructor(detail: { readonly credentialId: string }) {
    super('ctd-refreshed', { bubbles: true, composed: true, cancelable: false });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ctd-refreshed': CtdRefreshedEvent;
  }
}
