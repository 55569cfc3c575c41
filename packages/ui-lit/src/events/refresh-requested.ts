/** Fired by the token panel when the refresh button of a credential is pressed. */
export class CtdRefreshRequestedEvent extends Event {
  /** What happened. */
  readonly detail: { readonly credentialId: string; readonly source: string };

  constructor(detail: { readonly credentialId: string; readonly source: string }) {
    super('ctd-refresh-requested', { bubbles: true, composed: true, cancelable: false });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ctd-refresh-requested': CtdRefreshRequestedEvent;
  }
}
