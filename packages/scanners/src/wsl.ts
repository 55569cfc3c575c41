// Under WSL the Windows side of the machine has its own home, with its own CLI logins
// (%USERPROFILE%\.<cli>, …), reachable at /mnt/c/Users/<name>. A scan on the
// Linux side looks there too, and says which side each credential came from.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Folders of C:\Users that are not a person's home. */
const NOT_A_USER = new Set([
  'all users',
  'default',
  'default user',
  'public',
  'defaultapppool',
  'wsiaccount',
  'desktop.ini',
]);

/** Whether this is WSL, from the variables WSL sets in every session. */
export function isWsl(env: Readonly<Record<string, string | undefined>>): boolean {
  return Boolean(env.WSL_DISTRO_NAME?.trim() || env.WSL_INTEROP?.trim());
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The Windows home to scan besides the Linux one: `$CTD_WINDOWS_HOME` when set (empty turns it
 * off), else under WSL the folder of `<usersDir>` (default `/mnt/c/Users`) named like the Linux
 * user, or the only person's folder there. Undefined when there is none.
 *
 * @param env - the scan's environment
 * @param username - the Linux login name
 * @param usersDir - where Windows' C:\Users is mounted
 */
export async function windowsHomeOf(
  env: Readonly<Record<string, string | undefined>>,
  username: string,
  usersDir = '/mnt/c/Users',
): Promise<string | undefined> {
  const explicit = env.CTD_WINDOWS_HOME;
  if (explicit !== undefined)
    return explicit.trim() && (await isDir(explicit.trim())) ? explicit.trim() : undefined;
  if (!isWsl(env)) return undefined;
  let names: string[];
  try {
    names = await readdir(usersDir);
  } catch {
    return undefined;
  }
  const people = [];
  for (const name of names) {
    if (NOT_A_USER.has(name.toLowerCase()) || !(await isDir(join(usersDir, name)))) continue;
    people.push(name);
  }
  const same = people.find((n) => n.toLowerCase() === username.toLowerCase());
  if (same) return join(usersDir, same);
  return people.length === 1 ? join(usersDir, people[0]!) : undefined;
}
