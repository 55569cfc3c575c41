import { describe, expect, it } from 'vitest';
import { COMMANDS, endsByItself } from './index.ts';

describe('endsByItself (cli.ts tunes V8 for the commands that do)', () => {
  it('is false for the server and the watcher only', () => {
    expect(COMMANDS.filter((c) => !endsByItself([c.name])).map((c) => c.name)).toEqual(['watch', 'serve']);
  });

  it('looks at the command, not at its options or at a help request about it', () => {
    expect(endsByItself(['serve', '--port', '8787'])).toBe(false);
    expect(endsByItself(['help', 'serve'])).toBe(true);
    expect(endsByItself(['--version'])).toBe(true);
    expect(endsByItself([])).toBe(true);
  });
});
