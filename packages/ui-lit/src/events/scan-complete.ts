import type { ScanOutput } from '@ctd/service/client';
/** Fired when a scan started from the dashboard has finished (or failed: `error` set). */
export class CtdScanCompleteEvent extends Event {
  /** What happened. */
  readonly detail: {
    readonly summary: ScanOutput['summary'] | null;
    readonly error: { code: string; message: string } | null;
  };

  constructor(detail: {
    readonly summary: ScanOutput['summary'] | null;
    readonly error: { code: string; message: string } | null;
  }) {
    super('ctd-scan-complete', { bubbles: true, composed: true, cancelable: false });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ctd-scan-complete': CtdScanCompleteEvent;
  }
}
