export type { HeaderSource, Outcome } from './outcome.ts';
export { classifyResponse, parseDuration, parseRetryAfter, rateLimitHint } from './outcome.ts';
export type {
  AcquireRequest,
  Acquisition,
  CandidateCounts,
  CooldownPolicy,
  CredentialStanding,
  Lease,
  PriorityConfig,
  ReportResult,
  RotatorCredential,
  RotatorOptions,
  Strategy,
  Unavailable,
} from './rotator.ts';
export { createRotator, DEFAULT_COOLDOWNS, Rotator, STRATEGIES } from './rotator.ts';
