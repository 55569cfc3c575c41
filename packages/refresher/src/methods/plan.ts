import type { CredentialKind, ProviderId, RefreshMethod } from '@ctd/core';
import { ALL_ADAPTERS, refreshMethodsFor, type SourceAdapter } from '@ctd/scanners';

/** The re-login methods (the spec's four), as `RefreshMethod` types. */
export const RELOGIN_METHOD_TYPES = ['browser-login', 'cli-login', 'key-page', 'paste-key'] as const;

/** One of the four re-login methods: browser OAuth, CLI command, web platform (key page), manual entry. */
export type ReloginMethodType = (typeof RELOGIN_METHOD_TYPES)[number];

/**
 * The command line of a CLI's login command as the adapter states it (`<cli> login`,
 * `<cli> login --device-auth`), without the note a person reads after two spaces
 * (`<cli>  (then choose a login in /auth)`), split on spaces. Null for an empty command.
 *
 * @param command - the adapter's `login.command` or `login.browserCommand`
 */
export function commandArgv(command: string): string[] | null {
  const bare = command.split(/\s{2,}\(/)[0]?.trim() ?? '';
  const argv = bare.split(/\s+/).filter(Boolean);
  return argv.length > 0 ? argv : null;
}

/** Whether the command, as stated, needs a person at a terminal (its note says to choose in a menu). */
export function isInteractiveCommand(command: string): boolean {
  return /\s{2,}\(/.test(command);
}

/**
 * Every method that renews or replaces a login of this source, best first: the CLI's own
 * browser or device login (its URL and code are relayed to whoever asked), the CLI's login
 * command, the provider's key page (then a pasted key) and a pasted key. OAuth refresh is not
 * among them (it is automatic); `@ctd/scanners`' `refreshMethodsFor` lists it with the others.
 *
 * @param adapter - the source
 * @param provider - the credential's provider (its key page comes from the adapter that states it)
 * @param kind - the credential's kind (an API key has no CLI login)
 * @param adapters - the adapter list
 */
export function reloginMethods(
  adapter: SourceAdapter,
  provider: ProviderId,
  kind: CredentialKind,
  adapters: readonly SourceAdapter[] = ALL_ADAPTERS,
): RefreshMethod[] {
  const base = refreshMethodsFor(adapter, provider, kind, false, adapters).filter(
    (m) => m.type !== 'oauth-refresh',
  );
  const methods: RefreshMethod[] = [];
  const browser = adapter.login?.browserCommand;
  if (kind !== 'api_key' && browser) {
    methods.push({
      type: 'browser-login',
      description: `Run \`${browser}\`: it shows a login page and a code to open in a browser (on the operator's machine); the CLI then writes its new login, which is picked up by itself.`,
    });
  }
  for (const m of base) {
    if (m.type === 'cli-login') {
      methods.push({
        ...m,
        description: isInteractiveCommand(m.command)
          ? `Run \`${m.command}\` in a terminal on this machine; the new login is picked up by itself.`
          : `Run \`${m.command}\` on this machine (its output is shown as it runs); the new login is picked up by itself.`,
      });
    } else if (m.type === 'key-page') {
      methods.push({
        ...m,
        description:
          'Create a new API key on the provider’s page, then paste it (it is checked before it is kept).',
      });
    } else if (m.type === 'paste-key') {
      methods.push({
        ...m,
        description:
          'Paste a key or token: it is recognised by its shape, checked with its provider, then imported; never echoed.',
      });
    } else methods.push(m);
  }
  return methods;
}
