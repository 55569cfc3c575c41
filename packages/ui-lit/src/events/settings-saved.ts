import type { SettingsValue } from '../types.ts';
/** Fired by the settings form once the configuration was validated and saved. */
export class CtdSettingsSavedEvent extends Event {
  /** What happened. */
  readonly detail: { readonly config: SettingsValue };

  constructor(detail: { readonly config: SettingsValue }) {
    super('ctd-settings-saved', { bubbles: true, composed: true, cancelable: false });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ctd-settings-saved': CtdSettingsSavedEvent;
  }
}
