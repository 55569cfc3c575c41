import { css } from 'lit';

export default css`
  :host {
    display: block;
    background: var(--_bg);
    padding: var(--ctd-padding, 1rem);
    container-type: inline-size;
  }
  header {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem 1rem;
    align-items: center;
    justify-content: space-between;
    margin-bottom: 1rem;
  }
  h2 {
    margin: 0;
    font-size: 1.25em;
  }
  h3 {
    font-size: 1.05em;
    margin: 1.5rem 0 0.5rem;
  }
  /* Below 200 credentials the charts and settings are far off screen: their layout, font lookups
     and paint wait until they are scrolled to (still in the accessibility tree and find-in-page). */
  ctd-usage-chart,
  section[aria-labelledby='settings-h'] {
    display: block;
    content-visibility: auto;
    contain-intrinsic-size: auto 24rem;
  }
  .summary {
    margin: 0.15rem 0 0;
    font-size: 0.9em;
  }
`;
