import { css } from 'lit';

export default css`
  :host {
    display: inline-block;
  }
  .badge {
    display: inline-flex;
    align-items: center;
    gap: 0.3em;
    border-radius: 999px;
    padding: 0.1em 0.6em;
    font-size: 0.85em;
    font-weight: 600;
    white-space: nowrap;
    border: 1px solid currentColor;
  }
  .badge::before {
    content: '';
    width: 0.55em;
    height: 0.55em;
    border-radius: 50%;
    background: currentColor;
  }
  .valid {
    color: var(--_ok);
  }
  .expiring,
  .rate_limited,
  .refreshable {
    color: var(--_warn);
  }
  .expired,
  .invalid,
  .quota_exhausted,
  .needs_login,
  .no_access {
    color: var(--_bad);
  }
  .unknown,
  .unchecked {
    color: var(--_info);
  }
`;
