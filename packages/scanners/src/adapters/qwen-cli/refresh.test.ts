import { createTempHome, fixtures, startFakeQwenPortalOAuth } from '@ctd/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import { scanWith } from '../_shared/oauth-test-support.ts';
import { qwenCliAdapter } from './index.ts';

describe('qwen-cli refresh', () => {
  it('never refreshes the retired portal login: no refresh is offered, nothing reaches the portal', async () => {
    const home = await createTempHome();
    onTestFinished(() => home.cleanup());
    const portal = await startFakeQwenPortalOAuth({ refreshTokens: [fixtures.qwen.QWEN.refreshToken] });
    onTestFinished(() => portal.close());
    await fixtures.qwen.writeQwenOAuth(home);
    const [login] = await scanWith(qwenCliAdapter, home.env);
    expect(login?.kind).toBe('oauth');
    expect(qwenCliAdapter.oauthRefresh?.(login!)).toBeUndefined();
    expect(qwenCliAdapter.providers[login!.provider]?.oauthRefresh).toBe(false);
    expect(login!.refreshMethods.map((m) => m.type)).not.toContain('oauth-refresh');
    expect(portal.stats.calls).toBe(0);
  });
});
