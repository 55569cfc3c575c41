// The re-login methods through the service: a fake `demo` command on PATH stands in for the CLI's
// login (prints a device page and code, then writes the store); the new login is scanned, checked
// and imported once the command ends. Real processes, real files, no mocks.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ValidationResult } from '@ctd/core';
import { createMemoryHistoryStore } from '@ctd/history';
import type { MethodProgress } from '@ctd/refresher';
import { ALL_ADAPTERS } from '@ctd/scanners';
import { createTempHome, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_PROVIDER, demoCliAdapter, writeDemoLogin } from '../../refresher/src/test-support/demo-cli.ts';
import type { ImportAction } from './import-plan.ts';
import { type CredentialImporter, createTokenDiscoveryService } from './service.ts';

class RecordingImporter implements CredentialImporter {
  readonly applied: { action: ImportAction; secret: string }[] = [];
  async hostFacts() {
    return { availableProviders: new Set([DEMO_PROVIDER]) };
  }
  async apply(action: ImportAction, secret: string) {
    this.applied.push({ action, secret });
    return 'imported' as const;
  }
}

const NEW_ACCESS = 'test-access-relogin-new-000';
let home: TempHome;
let source: TempHome;
let importer: RecordingImporter;

beforeEach(async () => {
  home = await createTempHome();
  source = await createTempHome();
  importer = new RecordingImporter();
  // The login the fake CLI will write: prepared in another home, copied over by the command.
  await writeDemoLogin(source.path, {
    access: NEW_ACCESS,
    refresh: 'test-refresh-relogin-new-000',
    expiresAt: Date.now() + 3_600_000,
  });
  await mkdir(join(home.path, 'bin'));
  const fake = join(home.path, 'bin', 'demo');
  await writeFile(
    fake,
    [
      '#!/bin/sh',
      'echo "Starting login ($*)"',
      'echo "Go to https://login.demo.example/device and enter the code DEMO-1234"',
      'sleep 0.2',
      'mkdir -p "$HOME/.demo-cli"',
      `cp "${join(source.path, '.demo-cli', 'auth.json')}" "$HOME/.demo-cli/auth.json.tmp"`,
      'mv "$HOME/.demo-cli/auth.json.tmp" "$HOME/.demo-cli/auth.json"',
      'echo "Logged in."',
    ].join('\n'),
  );
  await chmod(fake, 0o755);
});

afterEach(async () => {
  await home.cleanup();
  await source.cleanup();
});

function makeService() {
  const valid = async (creds: readonly { id: string }[]): Promise<ValidationResult[]> =>
    creds.map((c) => ({
      credentialId: c.id,
      status: 'valid',
      reason: 'accepted by the stand-in',
      checkedAt: new Date().toISOString(),
      latencyMs: 0,
    }));
  return createTokenDiscoveryService({
    adapters: [...ALL_ADAPTERS, demoCliAdapter({ requiresOptIn: false })],
    env: { ...home.env, PATH: `${join(home.path, 'bin')}:/usr/bin:/bin` },
    history: createMemoryHistoryStore(),
    importer,
    validate: valid,
    config: { cliSources: { 'demo-cli': { importLogins: true } } },
  });
}

describe('refreshToken with a re-login method', () => {
  it('cli-login over RPC: answers with the page and code at once; the new login is imported when the CLI ends', async () => {
    const service = makeService();
    const imported = new Promise<void>((resolve) => {
      service.onScan((output) => {
        if (output.credentials.some((c) => c.source === 'demo-cli' && c.import.status === 'imported'))
          resolve();
      });
    });
    const out = await service.refreshToken({ target: 'demo-cli', method: 'cli-login' });
    expect(out.open).toEqual({ url: 'https://login.demo.example/device', code: 'DEMO-1234' });
    expect(out.run).toMatchObject({ method: 'cli-login', status: 'started' });
    await imported;
    expect(importer.applied.at(-1)?.secret).toBe(NEW_ACCESS);
    await service.close();
  });

  it('cli-login in a terminal: streams the output, waits, and reports the new login and its expiry', async () => {
    const service = makeService();
    const progress: MethodProgress[] = [];
    const out = await service.refreshToken(
      { target: 'demo-cli', method: 'cli-login' },
      { wait: true, onProgress: (p) => progress.push(p) },
    );
    expect(out.run).toEqual({ method: 'cli-login', status: 'done', exitCode: 0 });
    expect(out.after).toHaveLength(1);
    expect(out.after?.[0]).toMatchObject({ status: 'valid', import: { status: 'imported' } });
    expect(Date.parse(out.after?.[0]?.expiresAt ?? '')).toBeGreaterThan(Date.now());
    expect(progress).toContainEqual({ type: 'output', line: 'Logged in.' });
    expect(progress).toContainEqual({
      type: 'open-url',
      url: 'https://login.demo.example/device',
      code: 'DEMO-1234',
    });
    // The answer holds no token.
    expect(JSON.stringify(out)).not.toContain(NEW_ACCESS);
    await service.close();
  });

  it('a login that fails is reported with its reason, and nothing is imported', async () => {
    await writeFile(join(home.path, 'bin', 'demo'), '#!/bin/sh\necho "no network" >&2\nexit 3\n');
    const service = makeService();
    const out = await service.refreshToken({ target: 'demo-cli', method: 'cli-login' }, { wait: true });
    expect(out.run).toMatchObject({
      status: 'failed',
      exitCode: 3,
      reason: 'the login command exited with code 3',
    });
    expect(importer.applied).toHaveLength(0);
    await service.close();
  });
});
