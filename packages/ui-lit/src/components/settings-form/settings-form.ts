import { ContextConsumer } from '@lit/context';
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { tokenDiscoveryClientContext } from '../../context.ts';
import { CtdSettingsSavedEvent } from '../../events/settings-saved.ts';
import { type ShownError, toShownError } from '../../internal/errors.ts';
import { baseStyles } from '../../internal/styles.ts';
import {
  type DashboardClient,
  hasSettings,
  type SettingsSnapshot,
  type SettingsValue,
  type SourceInfo,
} from '../../types.ts';
import styles from './settings-form.styles.ts';

const FLAGS = [
  ['scanOnStartup', 'Scan on startup', 'Look for AI-CLI logins when the gateway starts.'],
  ['autoImport', 'Import automatically', 'Import valid credentials into auth profiles.'],
  ['validateTokens', 'Validate before import', 'Make one cheap read-only call per credential.'],
] as const;

const KNOWN = new Set(['scanOnStartup', 'autoImport', 'validateTokens', 'rotationStrategy', 'cliSources']);

/**
 * @summary The settings form: scan on startup, auto-import, validate before import, rotation
 * strategy, per-CLI enabled / priority / login opt-in, and any numeric threshold the
 * configuration has (refresh and expiry thresholds). Saved through the client's `setConfig`, which
 * validates with the service's zod schema; its issues are shown as they come.
 *
 * @event ctd-settings-saved - the configuration was saved (`detail.config`).
 *
 * @csspart form - the form.
 * @csspart save-button - the save button.
 */
export class CtdSettingsForm extends LitElement {
  static override styles = [baseStyles, styles];
  static override properties = {
    client: { attribute: false },
    readOnly: { type: Boolean, attribute: 'read-only', reflect: true },
    _snapshot: { state: true },
    _draft: { state: true },
    _error: { state: true },
    _saving: { state: true },
    _saved: { state: true },
  };

  /** The client; without it, the one provided by the context. */
  declare client: DashboardClient | undefined;
  /** Show the settings without the means to change them. */
  declare readOnly: boolean;

  declare _snapshot: SettingsSnapshot | null;
  declare _draft: SettingsValue | null;
  declare _error: ShownError | null;
  declare _saving: boolean;
  declare _saved: boolean;

  #contextClient: DashboardClient | undefined;

  constructor() {
    super();
    this.client = undefined;
    this.readOnly = false;
    this._snapshot = null;
    this._draft = null;
    this._error = null;
    this._saving = false;
    this._saved = false;
    new ContextConsumer(this, {
      context: tokenDiscoveryClientContext,
      subscribe: true,
      callback: (c) => {
        this.#contextClient = c;
        void this.load();
      },
    });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.client) void this.load();
  }

  /** Loads the configuration again (drops unsaved changes). */
  async load(): Promise<void> {
    const client = this.client ?? this.#contextClient;
    if (!client || !hasSettings(client)) return;
    try {
      this.#take(await client.getConfig());
      this._error = null;
    } catch (error) {
      this._error = toShownError(error);
    }
  }

  #take(snapshot: SettingsSnapshot): void {
    this._snapshot = snapshot;
    this._draft = structuredClone(snapshot.config);
  }

  async #save(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const client = this.client ?? this.#contextClient;
    if (!client || !hasSettings(client) || !this._draft || this.readOnly) return;
    this._saving = true;
    this._saved = false;
    this._error = null;
    try {
      this.#take(await client.setConfig({ config: this._draft }));
      this._saved = true;
      this.dispatchEvent(new CtdSettingsSavedEvent({ config: this._snapshot!.config }));
    } catch (error) {
      this._error = toShownError(error);
    } finally {
      this._saving = false;
    }
  }

  #set(patch: (d: SettingsValue) => void): void {
    if (!this._draft) return;
    const next = structuredClone(this._draft);
    patch(next);
    this._draft = next;
    this._saved = false;
  }

  protected override render(): TemplateResult {
    const client = this.client ?? this.#contextClient;
    if (client && !hasSettings(client)) return html`${nothing}`;
    const d = this._draft;
    if (!d) {
      return this._error
        ? html`<p role="alert" class="error">Could not load the settings [${this._error.code}]: ${this._error.message}</p>`
        : html`<p class="muted" role="status">Loading settings…</p>`;
    }
    const snap = this._snapshot!;
    const strategies = snap.strategies?.length ? snap.strategies : [d.rotationStrategy];
    const sources: readonly SourceInfo[] =
      snap.sources ?? Object.keys(d.cliSources).map((id) => ({ id, displayName: id }));
    const extras = Object.entries(d).filter(([k, v]) => !KNOWN.has(k) && typeof v === 'number');
    const ro = this.readOnly;
    return html`<form part="form" aria-label="Token Discovery settings" @submit=${(e: SubmitEvent) => void this.#save(e)}>
      <fieldset>
        <legend>Scanning and import</legend>
        ${FLAGS.map(
          ([key, label, help]) => html`<label class="check" title=${help}>
            <input
              type="checkbox"
              name=${key}
              .checked=${Boolean(d[key])}
              ?disabled=${ro}
              @change=${(e: Event) => this.#set((x) => (x[key] = (e.target as HTMLInputElement).checked))}
            />${label}
          </label>`,
        )}
        <label class="field"
          >Rotation strategy
          <select
            name="rotationStrategy"
            .value=${d.rotationStrategy}
            ?disabled=${ro}
            @change=${(e: Event) => this.#set((x) => (x.rotationStrategy = (e.target as HTMLSelectElement).value))}
          >
            ${strategies.map((s) => html`<option value=${s} ?selected=${s === d.rotationStrategy}>${s}</option>`)}
          </select></label
        >
        ${extras.map(
          ([key, value]) => html`<label class="field"
            >${snap.descriptions?.[key] ?? key}
            <input
              type="number"
              name=${key}
              min="0"
              .value=${String(value)}
              ?disabled=${ro}
              @change=${(e: Event) => this.#set((x) => (x[key] = (e.target as HTMLInputElement).valueAsNumber))}
          /></label>`,
        )}
      </fieldset>
      <fieldset>
        <legend>CLI sources</legend>
        <div class="sources">
          ${sources.map((s) => {
            const cfg = d.cliSources[s.id] ?? { enabled: true, priority: 0, importLogins: false };
            return html`<div class="source" role="group" aria-label=${s.displayName}>
              <span class="name">${s.displayName}</span>
              <label class="check"
                ><input
                  type="checkbox"
                  name=${`${s.id}.enabled`}
                  .checked=${cfg.enabled}
                  ?disabled=${ro}
                  @change=${(e: Event) =>
                    this.#set(
                      (x) =>
                        (x.cliSources[s.id] = { ...cfg, enabled: (e.target as HTMLInputElement).checked }),
                    )}
                />Scan</label
              >
              <label class="field"
                ><span class="visually-hidden">${s.displayName} priority</span
                ><input
                  type="number"
                  name=${`${s.id}.priority`}
                  min="0"
                  step="1"
                  title="Priority (lower is preferred)"
                  .value=${String(cfg.priority)}
                  ?disabled=${ro}
                  @change=${(e: Event) =>
                    this.#set(
                      (x) =>
                        (x.cliSources[s.id] = {
                          ...cfg,
                          priority: (e.target as HTMLInputElement).valueAsNumber,
                        }),
                    )}
              /></label>
              <label class="check" title="Import its subscription logins even where the provider asks for an explicit opt-in"
                ><input
                  type="checkbox"
                  name=${`${s.id}.importLogins`}
                  .checked=${cfg.importLogins}
                  ?disabled=${ro}
                  @change=${(e: Event) =>
                    this.#set(
                      (x) =>
                        (x.cliSources[s.id] = {
                          ...cfg,
                          importLogins: (e.target as HTMLInputElement).checked,
                        }),
                    )}
                />Import logins</label
              >
            </div>`;
          })}
        </div>
      </fieldset>
      <div class="footer">
        ${ro ? html`<span class="muted">Read-only: changing settings needs operator.write.</span>` : html`<button type="submit" class="primary" part="save-button" ?disabled=${this._saving}>${this._saving ? 'Saving…' : 'Save settings'}</button>`}
        <span role="status">${this._saved ? html`<span class="ok">Saved.</span>` : nothing}</span>
        ${this._error ? html`<span role="alert" class="error">[${this._error.code}] ${this._error.message}</span>` : nothing}
      </div>
    </form>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ctd-settings-form': CtdSettingsForm;
  }
}
