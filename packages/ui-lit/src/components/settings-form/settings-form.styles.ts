import { css } from 'lit';

export default css`
  :host {
    display: block;
    container-type: inline-size;
  }
  form {
    display: grid;
    gap: 0.75rem;
  }
  fieldset {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.5rem 0.75rem 0.75rem;
    margin: 0;
    min-width: 0;
  }
  legend {
    font-weight: 600;
    padding: 0 0.25rem;
  }
  .check {
    display: flex;
    gap: 0.5rem;
    align-items: center;
    min-height: 2rem;
  }
  .field {
    display: grid;
    gap: 0.2rem;
    max-width: 20rem;
  }
  .sources {
    display: grid;
    gap: 0.25rem;
  }
  .source {
    display: grid;
    grid-template-columns: minmax(8rem, 1.5fr) auto minmax(4.5rem, 6rem) auto;
    gap: 0.5rem 1rem;
    align-items: center;
    padding: 0.25rem 0;
    border-bottom: 1px solid var(--_border);
  }
  .source input[type='number'] {
    width: 100%;
  }
  @container (max-width: 520px) {
    .source {
      grid-template-columns: 1fr 1fr;
    }
    .source .name {
      grid-column: 1 / -1;
    }
  }
  .footer {
    display: flex;
    gap: 0.75rem;
    align-items: center;
    flex-wrap: wrap;
  }
  .ok {
    color: var(--_ok);
  }
`;
