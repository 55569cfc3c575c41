/** Fired by the token panel's error state when the operator asks to try again. */
export class CtdRetryEvent extends Event {
  /** What happened. */
  readonly detail: Record<string, never>;

  constructor(detail: Record<string, never>) {
    super('ctd-retry', { bubbles: true, composed: true, cancelable: false });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ctd-retry': CtdRetryEvent;
  }
}
