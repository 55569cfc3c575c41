import { css } from 'lit';

export default css`
  :host {
    display: block;
    --_s1: var(--ctd-series-1, light-dark(#1f5fd1, #7aa7ff));
    --_s2: var(--ctd-series-2, light-dark(#c2410c, #fdba74));
    --_s3: var(--ctd-series-3, light-dark(#15803d, #86efac));
    --_s4: var(--ctd-series-4, light-dark(#7e22ce, #d8b4fe));
    --_s5: var(--ctd-series-5, light-dark(#0e7490, #67e8f9));
    --_s6: var(--ctd-series-6, light-dark(#6b7280, #cbd5e1));
  }
  .grid {
    display: grid;
    gap: 1rem;
    grid-template-columns: repeat(auto-fit, minmax(min(100%, 20rem), 1fr));
  }
  figure {
    margin: 0;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.5rem 0.75rem;
    min-width: 0;
  }
  figcaption {
    font-weight: 600;
    margin-bottom: 0.25rem;
  }
  svg {
    width: 100%;
    height: auto;
    display: block;
    overflow: visible;
  }
  svg text {
    fill: var(--_muted);
    font-size: 10px;
  }
  .axis {
    stroke: var(--_border);
  }
  .s0 { --_c: var(--_s1); }
  .s1 { --_c: var(--_s2); }
  .s2 { --_c: var(--_s3); }
  .s3 { --_c: var(--_s4); }
  .s4 { --_c: var(--_s5); }
  .s5 { --_c: var(--_s6); }
  rect {
    fill: var(--_c);
  }
  polyline {
    fill: none;
    stroke: var(--_c);
    stroke-width: 2;
    stroke-linejoin: round;
  }
  .ev-cooldown {
    stroke: var(--_warn);
    stroke-dasharray: 3 2;
  }
  .ev-refresh {
    stroke: var(--_ok);
    stroke-dasharray: 1 2;
  }
  ul.legend {
    list-style: none;
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem 0.75rem;
    padding: 0;
    margin: 0.25rem 0 0;
    font-size: 0.85em;
  }
  ul.legend li::before {
    content: '';
    display: inline-block;
    width: 0.7em;
    height: 0.7em;
    margin-inline-end: 0.3em;
    border-radius: 2px;
    background: currentColor;
  }
  .c0 { color: var(--_s1); }
  .c1 { color: var(--_s2); }
  .c2 { color: var(--_s3); }
  .c3 { color: var(--_s4); }
  .c4 { color: var(--_s5); }
  .c5 { color: var(--_s6); }
  ul.legend li span {
    color: var(--_fg);
  }
`;
