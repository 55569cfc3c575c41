import { css } from 'lit';

// Few font sizes and weights on purpose: every new (family, size, weight) the first render needs
// costs Chromium a font lookup (on Linux a synchronous call to the browser process, slow on a busy
// machine). The panel's text is one size and weight (the loading line already uses it): column
// headers and reasons are muted rather than bold or smaller, badges carry their colour, border and
// dot, the previews are in the text font with tabular figures.
export default css`
  :host {
    display: block;
    container-type: inline-size;
    font-size: 0.9em;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem 1rem;
    align-items: end;
    margin-block-end: 0.75rem;
  }
  .toolbar .field {
    display: flex;
    flex-direction: column;
    gap: 0.15rem;
    color: var(--_muted);
    min-width: 0;
  }
  .row {
    display: grid;
    grid-template-columns:
      minmax(5rem, 1fr) minmax(4.5rem, 0.8fr) minmax(8rem, 1.7fr) 5.5rem minmax(7rem, 1.4fr)
      minmax(5rem, 1fr) 3rem 4.5rem 3rem 3.5rem minmax(4.5rem, 0.9fr) minmax(6rem, 1.5fr) 5rem;
    border-bottom: 1px solid var(--_border);
  }
  :host([read-only]) .row {
    grid-template-columns:
      minmax(5rem, 1fr) minmax(4.5rem, 0.8fr) minmax(8rem, 1.7fr) 5.5rem minmax(7rem, 1.4fr)
      minmax(5rem, 1fr) 3rem 4.5rem 3rem 3.5rem minmax(4.5rem, 0.9fr) minmax(6rem, 1.5fr);
  }
  /* Rows off screen are neither laid out nor painted until scrolled to: 200 rows render fast. */
  .body .row {
    content-visibility: auto;
    contain-intrinsic-size: auto 4.5rem;
  }
  [role='cell'],
  [role='columnheader'] {
    text-align: start;
    padding: 0.45rem 0.5rem;
    min-width: 0;
    overflow-wrap: anywhere;
  }
  [role='columnheader'] {
    color: var(--_muted);
  }
  [role='columnheader'] button {
    border: 0;
    background: none;
    padding: 0;
    min-height: 0;
    font-weight: inherit;
    color: inherit;
  }
  [role='cell'] code {
    white-space: nowrap;
    font: inherit;
    font-variant-numeric: tabular-nums;
  }
  /* An inline block rather than the badge element's inline flex: a flex container per row cost
     about a sixth of a row's layout. */
  .badge {
    display: inline-block;
    font-size: 1em;
    font-weight: inherit;
    padding: 0 0.5em;
  }
  .badge::before {
    display: inline-block;
    margin-inline-end: 0.3em;
    vertical-align: 0.05em;
  }
  .num {
    font-variant-numeric: tabular-nums;
  }
  .sub:empty {
    display: none;
  }
  /* Long notes and reasons: three lines on screen, all of it in the title and for screen readers. */
  .sub,
  .note {
    display: -webkit-box;
    -webkit-box-orient: vertical;
    -webkit-line-clamp: 3;
    overflow: hidden;
  }
  [part='refresh-button'] {
    white-space: nowrap;
  }
  /* No display here: the three-line clamp above needs its -webkit-box. */
  .sub {
    color: var(--_muted);
    overflow-wrap: anywhere;
  }
  .policy-forbidden {
    color: var(--_bad);
  }
  .policy-warn {
    color: var(--_warn);
  }
  .state {
    border: 1px dashed var(--_border);
    border-radius: var(--_radius);
    padding: 1rem;
  }
  .state h3 {
    margin: 0 0 0.5rem;
    font-size: 1em;
  }
  .state ul {
    margin: 0.25rem 0 0.75rem;
    padding-inline-start: 1.25rem;
  }
  /* Narrower than the table's columns (a phone, a side panel, a host with a wide sidebar): each
     credential becomes a card of label/value lines, so nothing needs a horizontal scroll. */
  @container (max-width: 1180px) {
    .head {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
    }
    .body {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(min(100%, 24rem), 1fr));
      gap: 0.6rem;
      align-items: start;
    }
    .row,
    :host([read-only]) .row {
      display: block;
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      padding: 0.25rem 0;
    }
    .body .row {
      contain-intrinsic-size: auto 24rem;
    }
    [role='cell'] {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 0.1rem 0.5rem;
      padding: 0.2rem 0.6rem;
    }
    [role='cell']::before {
      content: attr(data-label);
      flex: 0 0 7.5rem;
      color: var(--_muted);
      /* The one bold of the panel (a font lookup more, in the card layout only). */
      font-weight: 600;
    }
    [role='cell'] > * {
      min-width: 0;
    }
    [role='cell'] .sub {
      flex: 1 0 100%;
      box-sizing: border-box;
      padding-inline-start: 8rem;
    }
    [role='cell'][data-label='Actions']:empty {
      display: none;
    }
  }
`;
