/** Fired by the refresh modal when it closes. */
export class CtdModalCloseEvent extends Event {
  /** What happened. */
  readonly detail: { readonly credentialId: string | null };

  constructor(detail: { readonly credentialId: string | null }) {
    super('ctd-modal-close', { bubbles: true, composed: true, cancelable: false });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ctd-modal-close': CtdModalCloseEvent;
  }
}
