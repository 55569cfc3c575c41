import { css } from 'lit';

/**
 * Shared styles: every colour comes from a `--ctd-*` custom property that falls back on the
 * host's (OpenClaw's Control UI sets `--bg`, `--text`, `--border`, …) and then on a light/dark
 * default from `color-scheme`, so the elements follow the host's theme.
 */
export const baseStyles = css`
  :host {
    --_bg: var(--ctd-bg, var(--card, var(--bg, light-dark(#ffffff, #16181d))));
    --_fg: var(--ctd-fg, var(--text, light-dark(#1b1d22, #e6e8ec)));
    --_muted: var(--ctd-muted, var(--muted, light-dark(#555b66, #a4abb8)));
    --_border: var(--ctd-border, var(--border, light-dark(#d5d9e0, #343945)));
    --_accent: var(--ctd-accent, var(--accent, light-dark(#1f5fd1, #7aa7ff)));
    --_accent-fg: var(--ctd-accent-fg, light-dark(#ffffff, #0b1020));
    --_ok: var(--ctd-ok, light-dark(#146c2e, #6fd08c));
    --_warn: var(--ctd-warn, light-dark(#8a5300, #f3c366));
    --_bad: var(--ctd-bad, light-dark(#b3261e, #ff8a80));
    --_info: var(--ctd-info, light-dark(#3c4a63, #b9c4d8));
    --_radius: var(--ctd-radius, 6px);
    --_focus: var(--ctd-focus, var(--_accent));
    color-scheme: light dark;
    color: var(--_fg);
    font: var(--ctd-font, inherit);
    box-sizing: border-box;
  }
  :host([theme='light']) {
    color-scheme: light;
  }
  :host([theme='dark']) {
    color-scheme: dark;
  }
  /* No universal selector: with thousands of cells it costs more style work than it saves. */
  button,
  select,
  input,
  dialog,
  figure,
  fieldset {
    box-sizing: border-box;
  }
  button,
  select,
  input {
    font: inherit;
    color: inherit;
  }
  button {
    cursor: pointer;
    border: 1px solid var(--_border);
    background: var(--_bg);
    border-radius: var(--_radius);
    padding: 0.35rem 0.75rem;
    min-height: 2rem;
  }
  button.primary {
    background: var(--_accent);
    color: var(--_accent-fg);
    border-color: var(--_accent);
  }
  button:disabled {
    opacity: 0.6;
    cursor: not-allowed;
  }
  :focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
  select,
  input {
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.3rem 0.5rem;
    min-height: 2rem;
    max-width: 100%;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  .muted {
    color: var(--_muted);
  }
  .error {
    color: var(--_bad);
  }
  code {
    font-family: var(--ctd-mono, ui-monospace, monospace);
    overflow-wrap: anywhere;
  }
`;
