// The whole built-in list over a home holding a login of every source (each adapter's own
// contract is in its folder's contract.test.ts).
import { sha256Hex } from '@ctd/core/node';
import { createTempHome, type TempHome, writeFullHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scan, toScanReport } from './scan.ts';

let home: TempHome;
beforeEach(async () => {
  home = await createTempHome();
});
afterEach(() => home.cleanup());

describe('full home', () => {
  it('finds every fixture credential and serializes no secret', async () => {
    const full = await writeFullHome(home);
    const r = await scan({ env: full.env });
    expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
    const hashes = new Set(r.credentials.map((c) => c.hash));
    for (const e of full.credentials)
      expect(hashes.has(sha256Hex(e.secret)), `${e.source} ${e.kind}`).toBe(true);
    const json = JSON.stringify(toScanReport(r, true));
    for (const e of full.credentials) expect(json).not.toContain(e.secret);
    for (const c of r.credentials) {
      if (c.refreshSecret) expect(json).not.toContain(c.refreshSecret.reveal());
      expect(JSON.stringify(c)).not.toContain(c.secret.reveal());
    }
  });
});
