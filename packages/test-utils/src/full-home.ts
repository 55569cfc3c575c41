import type { ExpectedCredential } from './fixtures/types.ts';
import * as all from './fixtures.ts';
import type { TempHome } from './temp-home.ts';

/** What a full home holds: the credentials a scan must find, and the environment to scan with. */
export interface FullHomeExpectation {
  credentials: ExpectedCredential[];
  /** `HOME` plus the variables the environment fixtures set. */
  env: Record<string, string>;
}

/**
 * Lays out a home holding a login of every source, for contract tests and benchmarks.
 *
 * @param home - an empty temp home
 */
export async function writeFullHome(home: TempHome): Promise<FullHomeExpectation> {
  const credentials: ExpectedCredential[] = [];
  const modules = [all.codex, all.gemini, all.qwen, all.kimiCli, all.kimiCode, all.claude, all.opencode];
  for (const m of modules) credentials.push(...(await m.populate(home)));
  const env: Record<string, string> = { ...home.env };
  const envFixture = all.environment as {
    populate: (h: TempHome) => Promise<ExpectedCredential[]>;
    fullHomeEnv?: Record<string, string>;
  };
  credentials.push(...(await envFixture.populate(home)));
  Object.assign(env, envFixture.fullHomeEnv ?? {});
  return { credentials, env };
}
