/** The built Control UI module, relative to the package root: `controlUi.entry` in the manifest. */
export const CONTROL_UI_ENTRY = 'dist/control-ui/index.js';
