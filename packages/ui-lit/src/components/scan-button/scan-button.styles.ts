import { css } from 'lit';

export default css`
  :host {
    display: inline-flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem;
  }
  progress {
    width: 6rem;
  }
  .status {
    font-size: 0.9em;
  }
`;
