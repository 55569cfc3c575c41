// The real-CLI harness: installs the real AI coding CLIs from the npm registry (pinned, cached in
// .cache/real-clis/), runs them with a temp home and a clean environment, completes their logins
// against loopback HTTPS stand-ins, and drives their terminal UIs through tmux.
export {
  ensureRealClis,
  REAL_CLIS_INSTALLER,
  type RealCliName,
  type RealClis,
  type RealClisOutcome,
} from './install.ts';
export { type RealCliRun, type RunRealCliOptions, realCliEnv, runRealCli } from './run.ts';
export { hasSecretService, type SecretService, startSecretService } from './secret-service.ts';
export { type StandIn, type StandInHandler, type StandInRequest, startStandIn } from './stand-in.ts';
export { hasTmux, startTmux, type TmuxSession } from './tmux.ts';
