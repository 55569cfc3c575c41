import type { ImportOutcome } from '@ctd/service/client';
/** Fired by the refresh modal when a pasted key was checked and imported (the key itself is never in the event). */
export class CtdImportedEvent extends Event {
  /** What happened. */
  readonly detail: { readonly credentialId: string; readonly status: string; readonly import: ImportOutcome };

  constructor(detail: {
    readonly credentialId: string;
    readonly status: string;
    readonly import: ImportOutcome;
  }) {
    super('ctd-imported', { bubbles: true, composed: true, cancelable: false });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ctd-imported': CtdImportedEvent;
  }
}
