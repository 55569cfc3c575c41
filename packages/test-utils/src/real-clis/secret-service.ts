import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
  // A daemon that starts wrong (see below) never recovers, so a failed start is retried whole.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce();
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/**
 * The bus of the session: the standard session bus minus service activation. With activation on,
 * a client that asks for the Secret Service a moment before the unlocked daemon owns its name makes
 * the bus start a second, locked daemon (`--start --foreground`) that can win the name; its store
 * has no login collection and no prompter, so every store fails until the session ends (seen in CI).
 */
const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;

async function startOnce(): Promise<SecretService> {
  const home = await mkdtemp(join(tmpdir(), 'ctd-secret-service-'));
  const configFile = join(home, 'session-bus.conf');
  await writeFile(configFile, busConfig);
  // The address is printed only once the unlocked daemon owns org.freedesktop.secrets (at most
  // 15 s), so nothing can reach the bus before it.
  const script = [
    'printf ctd-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1',
    'i=0',
    'until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; do i=$((i+1)); [ $i -gt 150 ] && exit 3; sleep 0.1; done',
    'echo "$DBUS_SESSION_BUS_ADDRESS"',
    'exec sleep 3600',
  ].join('\n');
  const child = spawn('dbus-run-session', [`--config-file=${configFile}`, '--', 'sh', '-c', script], {
    env: { HOME: home, PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8' },
    stdio: ['ignore', 'pipe', 'ignore'],
    detached: true,
  });
  const stopGroup = () => {
    // The whole group: dbus-run-session, its bus daemon, the keyring daemon and the sleep.
    try {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  };
  let address: string;
  try {
    address = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      const timer = setTimeout(
        () => reject(new Error('the keyring daemon did not own its bus name within 20 s')),
        20_000,
      );
      lines.once('line', (line) => {
        clearTimeout(timer);
        resolve(line.trim());
      });
      child.once('error', reject);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`dbus-run-session exited (${code}) before the keyring started`));
      });
    });
  } catch (error) {
    stopGroup();
    await rm(home, { recursive: true, force: true });
    throw error;
  }
  const env = { DBUS_SESSION_BUS_ADDRESS: address };
  const service: SecretService = {
    env,
    async store(attributes, secret, label = 'ctd test item') {
      await new Promise<void>((resolve, reject) => {
        const args = ['store', `--label=${label}`, ...Object.entries(attributes).flat()];
        const p = spawn('secret-tool', args, {
          env: { HOME: home, PATH: '/usr/local/bin:/usr/bin:/bin', ...env },
          stdio: ['pipe', 'ignore', 'pipe'],
        });
        let stderr = '';
        p.stderr.setEncoding('utf8');
        p.stderr.on('data', (chunk: string) => {
          if (stderr.length < 2_000) stderr += chunk;
        });
        p.once('error', reject);
        p.once('close', (code) =>
          code === 0
            ? resolve()
            : reject(new Error(`secret-tool store exited ${code}: ${stderr.trim().slice(0, 500)}`)),
        );
        p.stdin.end(secret);
      });
    },
    async close() {
      stopGroup();
      await rm(home, { recursive: true, force: true });
    },
  };
  // The daemon owns its name, but its login collection may lag on a busy machine: wait until an
  // item can be stored, so that the first CLI to use it does not fall back to a file.
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
