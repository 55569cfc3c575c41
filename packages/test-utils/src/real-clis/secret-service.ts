import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** A real Secret Service (gnome-keyring-daemon) in a private D-Bus session, for tests. */
export interface SecretService {
  /** `DBUS_SESSION_BUS_ADDRESS` of the session: give it to the CLIs and to the scan. */
  readonly env: Readonly<Record<string, string>>;
  /** Stores an item with `secret-tool store`, as a CLI's libsecret client would. */
  store(attributes: Readonly<Record<string, string>>, secret: string, label?: string): Promise<void>;
  /** Stops the daemon and the session. */
  close(): Promise<void>;
}

/** Whether the tools are installed (Debian: dbus, gnome-keyring, libsecret-tools). */
export async function hasSecretService(): Promise<boolean> {
  try {
    await Promise.all([
      exec('sh', [
        '-c',
        'command -v dbus-run-session && command -v gnome-keyring-daemon && command -v secret-tool',
      ]),
    ]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts `dbus-run-session` with an unlocked `gnome-keyring-daemon` (secrets component, a
 * throwaway login keyring in a temp home), the Secret Service the CLIs' keytar, libsecret and
 * Rust keyring clients talk to. Nothing touches the user's own session or keyring.
 */
export async function startSecretService(): Promise<SecretService> {
  const home = await mkdtemp(join(tmpdir(), 'ctd-secret-service-'));
  const script =
    'printf ctd-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; echo "$DBUS_SESSION_BUS_ADDRESS"; exec sleep 3600';
  const child = spawn('dbus-run-session', ['--', 'sh', '-c', script], {
    env: { HOME: home, PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8' },
    stdio: ['ignore', 'pipe', 'ignore'],
    detached: true,
  });
  const address = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve(line.trim()));
    child.once('error', reject);
    child.once('exit', () => reject(new Error('dbus-run-session exited before the keyring started')));
  });
  const env = { DBUS_SESSION_BUS_ADDRESS: address };
  const service: SecretService = {
    env,
    async store(attributes, secret, label = 'ctd test item') {
      await new Promise<void>((resolve, reject) => {
        const args = ['store', `--label=${label}`, ...Object.entries(attributes).flat()];
        const p = spawn('secret-tool', args, {
          env: { HOME: home, PATH: '/usr/local/bin:/usr/bin:/bin', ...env },
          stdio: ['pipe', 'ignore', 'ignore'],
        });
        p.once('error', reject);
        p.once('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`secret-tool store exited ${code}`)),
        );
        p.stdin.end(secret);
      });
    },
    async close() {
      // The whole group: dbus-run-session, its bus daemon, the keyring daemon and the sleep.
      try {
        if (child.pid) process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      await rm(home, { recursive: true, force: true });
    },
  };
  // The daemon answers on the bus a moment after it starts (later on a busy machine): wait until
  // an item can be stored, so that the first CLI to use it does not fall back to a file.
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await service.store({ service: 'ctd-test-probe', account: 'ready' }, 'ready', 'ctd probe');
      return service;
    } catch (error) {
      if (Date.now() > deadline) {
        await service.close();
        throw error;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
