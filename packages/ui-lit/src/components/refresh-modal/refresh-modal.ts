import type { CredentialStatus, RefreshInput, RefreshOutput } from '@ctd/service/client';
import { ContextConsumer } from '@lit/context';
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { tokenDiscoveryClientContext } from '../../context.ts';
import { CtdImportedEvent } from '../../events/imported.ts';
import { CtdModalCloseEvent } from '../../events/modal-close.ts';
import { CtdRefreshedEvent } from '../../events/refreshed.ts';
import { type ShownError, toShownError } from '../../internal/errors.ts';
import { accountOf } from '../../internal/format.ts';
import { baseStyles } from '../../internal/styles.ts';
import type { DashboardClient, RefreshProgress } from '../../types.ts';
import styles from './refresh-modal.styles.ts';

type Method = RefreshOutput['methods'][number];

const METHOD_TITLE: Readonly<Record<Method['type'], string>> = {
  'oauth-refresh': 'Refresh the login',
  'browser-login': 'Log in in your browser',
  'cli-login': 'Run the CLI’s login command',
  'key-page': 'Create a new key on the provider’s site',
  'paste-key': 'Paste a key',
};

const OUTCOME_LABEL: Readonly<Record<string, string>> = {
  refreshed: 'Refreshed',
  'refreshed-by-other': 'Refreshed by another process',
  'not-due': 'Not due yet',
  needs_login: 'Needs a new login',
  failed: 'Refresh failed',
  'not-refreshable': 'Cannot be refreshed automatically',
  'opt-in-required': 'Needs your opt-in',
};

const RUN_LABEL: Readonly<Record<string, string>> = {
  started: 'Started: finish the login in your browser; the page updates when it ends.',
  done: 'Done.',
  failed: 'The login failed.',
  'timed-out': 'The login timed out.',
  cancelled: 'Cancelled.',
  'not-run': 'Nothing was run.',
};

/** One line on how a run went: its status, its reason, and the statuses after it. */
function describeRun(out: RefreshOutput): string | null {
  const parts: string[] = [];
  if (out.run)
    parts.push(`${RUN_LABEL[out.run.status] ?? out.run.status}${out.run.reason ? ` ${out.run.reason}` : ''}`);
  for (const a of out.after ?? []) parts.push(`${a.label}: ${a.status ?? 'unchecked'}`);
  return parts.length ? parts.join(' ') : null;
}

interface Run {
  readonly method: Method['type'];
  readonly controller: AbortController;
  readonly lines: string[];
  url: { url: string; code?: string | undefined } | null;
  /** What the run ended with (the service's `run.status`, `after` statuses). */
  outcome: string | null;
  done: boolean;
  error: ShownError | null;
  note: string | null;
}

/**
 * @summary The refresh modal of one credential: only the methods that apply to its CLI, each
 * saying what it will do; a method that runs shows its progress and can be cancelled; a pasted key
 * goes through a password field that is cleared on submit and never shown again.
 *
 * @event ctd-imported - a pasted key was checked and imported (`detail.credentialId`, `detail.status`).
 * @event ctd-refreshed - a login was refreshed or logged in again (`detail.credentialId`).
 * @event ctd-modal-close - the modal closed.
 *
 * @csspart dialog - the `<dialog>`.
 * @csspart method - each method's box.
 * @csspart token-input - the password field of a pasted key.
 *
 * @cssproperty --ctd-bg - background.
 * @cssproperty --ctd-border - lines.
 * @cssproperty --ctd-accent - links and the primary button.
 */
export class CtdRefreshModal extends LitElement {
  static override styles = [baseStyles, styles];
  static override properties = {
    credential: { attribute: false },
    client: { attribute: false },
    open: { type: Boolean, reflect: true },
    _methods: { state: true },
    _loading: { state: true },
    _error: { state: true },
    _run: { state: true },
    _pasteOpen: { state: true },
    _submitting: { state: true },
    _result: { state: true },
    _outcomes: { state: true },
  };

  /** The credential to refresh. */
  declare credential: CredentialStatus | null;
  /** The client; without it, the one provided by the context. */
  declare client: DashboardClient | undefined;
  /** Whether the modal is shown. */
  declare open: boolean;

  declare _methods: readonly Method[] | null;
  declare _loading: boolean;
  declare _error: ShownError | null;
  declare _run: Run | null;
  declare _pasteOpen: boolean;
  declare _submitting: boolean;
  declare _result: { ok: boolean; text: string } | null;
  declare _outcomes: readonly string[];

  #contextClient: DashboardClient | undefined;

  constructor() {
    super();
    this.credential = null;
    this.client = undefined;
    this.open = false;
    this.#reset();
    new ContextConsumer(this, {
      context: tokenDiscoveryClientContext,
      subscribe: true,
      callback: (c) => {
        this.#contextClient = c;
      },
    });
  }

  /** Opens the modal for a credential. */
  show(credential: CredentialStatus): void {
    this.credential = credential;
    this.open = true;
  }

  /** Closes the modal (cancels a running method). */
  close(): void {
    this.open = false;
  }

  get #client(): DashboardClient | undefined {
    return this.client ?? this.#contextClient;
  }

  #reset(): void {
    this._methods = null;
    this._loading = false;
    this._error = null;
    this._run = null;
    this._pasteOpen = false;
    this._submitting = false;
    this._result = null;
    this._outcomes = [];
  }

  protected override updated(changed: PropertyValues<this>): void {
    const dialog = this.renderRoot.querySelector('dialog');
    if (!dialog) return;
    if (changed.has('open') || changed.has('credential')) {
      if (this.open && !dialog.open) {
        dialog.showModal();
        void this.#loadMethods();
      } else if (!this.open && dialog.open) dialog.close();
      else if (this.open && changed.has('credential')) void this.#loadMethods();
    }
  }

  async #loadMethods(): Promise<void> {
    const client = this.#client;
    const credential = this.credential;
    this.#cancelRun();
    this.#reset();
    if (!client || !credential) return;
    this._loading = true;
    try {
      const out = await client.refreshToken({ target: credential.id });
      if (this.credential !== credential) return;
      // Without a method the service refreshes an OAuth login that can be (when due) and lists
      // the methods; a login that needs the operator names its re-login methods in `relogin`.
      const relogin = (out.outcomes ?? []).flatMap((o) => o.relogin ?? []);
      this._methods = out.methods.length ? out.methods : relogin;
      this._outcomes = (out.outcomes ?? []).map((o) => `${OUTCOME_LABEL[o.status] ?? o.status}: ${o.reason}`);
      if (out.outcomes?.some((o) => o.status === 'refreshed' || o.status === 'refreshed-by-other')) {
        this.dispatchEvent(new CtdRefreshedEvent({ credentialId: credential.id }));
      }
    } catch (error) {
      this._error = toShownError(error);
    } finally {
      this._loading = false;
    }
  }

  #onClose = (): void => {
    this.#cancelRun();
    this.#clearToken();
    this.open = false;
    this.dispatchEvent(new CtdModalCloseEvent({ credentialId: this.credential?.id ?? null }));
  };

  #cancelRun(): void {
    if (this._run && !this._run.done) {
      this._run.controller.abort();
      this._run = { ...this._run, done: true, note: 'Cancelled.' };
    }
  }

  #clearToken(): void {
    const input = this.renderRoot.querySelector<HTMLInputElement>('input[name="token"]');
    if (input) input.value = '';
  }

  async #runMethod(method: Method): Promise<void> {
    const client = this.#client;
    const credential = this.credential;
    if (!client || !credential) return;
    this.#cancelRun();
    const run: Run = {
      method: method.type,
      controller: new AbortController(),
      lines: [],
      url: null,
      outcome: null,
      done: false,
      error: null,
      note: null,
    };
    this._run = run;
    const onProgress = (p: RefreshProgress): void => {
      if (run.controller.signal.aborted) return;
      if (p.type === 'output') run.lines.push(p.line);
      else if (p.type === 'open-url') run.url = { url: p.url, code: p.code };
      else run.lines.push(p.message);
      this._run = { ...run };
    };
    try {
      // A runner streams progress; a plain client runs the method in one call.
      const input = { target: credential.id, method: method.type };
      const out = client.runRefresh
        ? await client.runRefresh(input, { signal: run.controller.signal, onProgress })
        : await client.refreshToken(input as RefreshInput);
      if (run.controller.signal.aborted) return;
      this._run = {
        ...run,
        // A browser or device login: the page (and code) to open on the operator's side.
        url: out.open ? { url: out.open.url, code: out.open.code } : run.url,
        outcome: describeRun(out),
        done: true,
        note: out.note || 'Done.',
      };
      if (
        out.after?.some((a) => a.status === 'valid') ||
        out.outcomes?.some((o) => o.status === 'refreshed')
      ) {
        this.dispatchEvent(new CtdRefreshedEvent({ credentialId: credential.id }));
      }
    } catch (error) {
      if (run.controller.signal.aborted) return;
      this._run = { ...run, done: true, error: toShownError(error) };
    }
  }

  async #submitPaste(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const client = this.#client;
    const credential = this.credential;
    const input = (event.target as HTMLFormElement).elements.namedItem('token') as HTMLInputElement;
    // Take the key out of the DOM at once: it lives only in this call from here on.
    let token = input.value;
    input.value = '';
    if (!client || !credential || !token.trim()) {
      this._result = { ok: false, text: 'Paste a key first.' };
      return;
    }
    this._submitting = true;
    this._result = null;
    try {
      const out = await client.importManual({ cli: credential.source, token });
      token = '';
      const status = out.credential.validation?.status ?? 'unchecked';
      const ok = status === 'valid';
      this._result = {
        ok,
        text: ok
          ? `The key works and was ${out.credential.import.status === 'imported' ? 'imported' : `recorded (import: ${out.credential.import.status})`}.`
          : `The provider did not accept the key (${status}).`,
      };
      this.dispatchEvent(
        new CtdImportedEvent({ credentialId: out.credential.id, status, import: out.credential.import }),
      );
    } catch (error) {
      const e = toShownError(error);
      this._result = { ok: false, text: `[${e.code}] ${e.message}` };
    } finally {
      token = '';
      this._submitting = false;
    }
  }

  protected override render(): TemplateResult {
    const c = this.credential;
    const who = c ? [c.source, c.label, accountOf(c)].filter(Boolean).join(' · ') : '';
    return html`<dialog
      part="dialog"
      aria-labelledby="title"
      aria-describedby="who"
      @close=${this.#onClose}
      @cancel=${() => this.#cancelRun()}
    >
      <header>
        <div>
          <h2 id="title">Refresh credential</h2>
          <p id="who" class="muted">${who}</p>
        </div>
        <button type="button" aria-label="Close" @click=${() => this.close()}>✕</button>
      </header>
      <div class="body">${this.open ? this.#renderBody() : nothing}</div>
    </dialog>`;
  }

  #renderBody(): TemplateResult {
    if (this._loading) return html`<p role="status">Looking up the ways to refresh…</p>`;
    if (this._error) {
      return html`<p role="alert" class="error">[${this._error.code}] ${this._error.message}</p>
        <button type="button" @click=${() => void this.#loadMethods()}>Retry</button>`;
    }
    const methods = this._methods ?? [];
    const outcomes = this._outcomes.length
      ? html`<ul class="outcomes" role="status" aria-label="Automatic refresh">${this._outcomes.map((o) => html`<li>${o}</li>`)}</ul>`
      : nothing;
    if (methods.length === 0)
      return html`${outcomes}<p>No other way to refresh this credential is known.</p>`;
    const pasteShown = this._pasteOpen || methods.some((m) => m.type === 'paste-key');
    return html`${outcomes}<ul class="methods" aria-label="Ways to refresh">
        ${methods.map((m) => this.#renderMethod(m, pasteShown))}
      </ul>
      ${this._result ? html`<p role="status" class=${this._result.ok ? 'result-ok' : 'error'}>${this._result.text}</p>` : nothing}`;
  }

  #renderMethod(m: Method, pasteShown: boolean): TemplateResult {
    const run = this._run?.method === m.type ? this._run : null;
    const running = run !== null && !run.done;
    let actions: TemplateResult | typeof nothing = nothing;
    switch (m.type) {
      case 'oauth-refresh':
      case 'cli-login':
      case 'browser-login':
        actions = html`<div class="actions">
          ${m.type === 'browser-login' && m.url ? html`<a class="button" href=${m.url} target="_blank" rel="noopener noreferrer">Open the login page</a>` : nothing}
          ${
            running
              ? html`<button type="button" @click=${() => this.#cancelRun()}>Cancel</button>`
              : html`<button type="button" class="primary" @click=${() => void this.#runMethod(m)}>
                  ${m.type === 'cli-login' ? 'Run the command' : m.type === 'oauth-refresh' ? 'Refresh now' : 'Start the login'}
                </button>`
          }
        </div>`;
        break;
      case 'key-page':
        actions = html`<div class="actions">
          <a class="button" href=${m.url} target="_blank" rel="noopener noreferrer" @click=${() => (this._pasteOpen = true)}
            >Open the key page</a
          >
          ${pasteShown ? nothing : html`<button type="button" @click=${() => (this._pasteOpen = true)}>I have a key</button>`}
        </div>`;
        break;
      case 'paste-key':
        break;
    }
    return html`<li class="method" part="method" data-method=${m.type}>
      <h3>${METHOD_TITLE[m.type] ?? m.type}</h3>
      <p class="muted">${m.description}</p>
      ${m.type === 'cli-login' ? html`<p><code>${m.command}</code></p>` : nothing}
      ${actions}
      ${run ? this.#renderRun(run) : nothing}
      ${(m.type === 'paste-key' || (m.type === 'key-page' && !this.#hasPasteMethod())) && pasteShown ? this.#renderPaste() : nothing}
    </li>`;
  }

  #hasPasteMethod(): boolean {
    return (this._methods ?? []).some((m) => m.type === 'paste-key');
  }

  #renderRun(run: Run): TemplateResult {
    return html`${run.url ? html`<p>Open <a href=${run.url.url} target="_blank" rel="noopener noreferrer">${run.url.url}</a>${run.url.code ? html` and enter the code <code>${run.url.code}</code>` : nothing}</p>` : nothing}
      ${run.lines.length ? html`<pre class="log" role="log" aria-label="Progress">${run.lines.join('\n')}</pre>` : nothing}
      ${!run.done ? html`<p role="status"><progress aria-label="Running"></progress> Running…</p>` : nothing}
      ${run.error ? html`<p role="alert" class="error">[${run.error.code}] ${run.error.message}</p>` : nothing}
      ${run.outcome ? html`<p role="status">${run.outcome}</p>` : nothing}
      ${run.done && run.note ? html`<p role="status">${run.note}</p>` : nothing}`;
  }

  #renderPaste(): TemplateResult {
    return html`<form class="paste" @submit=${(e: SubmitEvent) => void this.#submitPaste(e)}>
      <label for="token">New key for ${this.credential?.source ?? 'this CLI'}</label>
      <div class="row">
        <input
          id="token"
          name="token"
          part="token-input"
          type="password"
          autocomplete="off"
          spellcheck="false"
          required
          minlength="8"
          maxlength="8192"
          aria-describedby="token-help"
        />
        <button type="submit" class="primary" ?disabled=${this._submitting}>
          ${this._submitting ? 'Checking…' : 'Check and import'}
        </button>
      </div>
      <span id="token-help" class="muted">Checked with the provider, then imported. It is never shown again.</span>
    </form>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ctd-refresh-modal': CtdRefreshModal;
  }
}
