import { css } from 'lit';

export default css`
  :host {
    display: contents;
  }
  dialog {
    background: var(--_bg);
    color: var(--_fg);
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 1.5);
    padding: 0;
    width: min(36rem, calc(100vw - 1.5rem));
    max-height: calc(100vh - 2rem);
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 0.45);
  }
  header,
  .body,
  footer {
    padding: 0.75rem 1rem;
  }
  header {
    display: flex;
    justify-content: space-between;
    gap: 1rem;
    align-items: start;
    border-bottom: 1px solid var(--_border);
  }
  h2 {
    margin: 0;
    font-size: 1.1em;
  }
  ul.methods {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 0.6rem;
  }
  li.method {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.6rem 0.75rem;
  }
  li.method h3 {
    margin: 0 0 0.25rem;
    font-size: 1em;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    margin-top: 0.5rem;
    align-items: center;
  }
  a.button {
    display: inline-flex;
    align-items: center;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.35rem 0.75rem;
    min-height: 2rem;
    color: var(--_accent);
    text-decoration: none;
  }
  pre.log {
    max-height: 10rem;
    overflow: auto;
    background: color-mix(in srgb, var(--_fg) 6%, var(--_bg));
    border-radius: var(--_radius);
    padding: 0.5rem;
    font-size: 0.85em;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    margin: 0.5rem 0 0;
  }
  form.paste {
    display: grid;
    gap: 0.4rem;
    margin-top: 0.5rem;
  }
  form.paste .row {
    display: flex;
    gap: 0.5rem;
    flex-wrap: wrap;
  }
  form.paste input {
    flex: 1 1 12rem;
  }
  ul.outcomes {
    margin: 0 0 0.75rem;
    padding-inline-start: 1.25rem;
  }
  .result-ok {
    color: var(--_ok);
  }
`;
