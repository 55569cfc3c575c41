import { describe, expect, it } from 'vitest';
import { classifyResponse, parseDuration, parseRetryAfter, rateLimitHint } from './outcome.ts';

const NOW = Date.parse('2026-05-01T00:00:00.000Z');

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter('1.5', NOW)).toBe(1_500);
    expect(parseRetryAfter('Fri, 01 May 2026 00:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Thu, 30 Apr 2026 00:00:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });
});

describe('parseDuration', () => {
  it('reads OpenAI-style reset durations', () => {
    expect(parseDuration('1s')).toBe(1_000);
    expect(parseDuration('6m0s')).toBe(360_000);
    expect(parseDuration('20ms')).toBe(20);
    expect(parseDuration('1h2m3.5s')).toBe(3_723_500);
    expect(parseDuration('7')).toBe(7_000);
    expect(parseDuration('3 days')).toBeUndefined();
  });
});

describe('rateLimitHint', () => {
  it('prefers Retry-After, then the latest reset header', () => {
    expect(rateLimitHint({ 'retry-after': '5', 'x-ratelimit-reset-requests': '1m' }, NOW)).toEqual({
      retryAfterMs: 5_000,
    });
    expect(rateLimitHint({ 'retry-after-ms': '250' }, NOW)).toEqual({ retryAfterMs: 250 });
    expect(
      rateLimitHint({ 'x-ratelimit-reset-requests': '2s', 'x-ratelimit-reset-tokens': '6m0s' }, NOW),
    ).toEqual({
      resetAt: NOW + 360_000,
    });
    const h = new Headers({ 'anthropic-ratelimit-requests-reset': '2026-05-01T00:01:00Z' });
    expect(rateLimitHint(h, NOW)).toEqual({ resetAt: NOW + 60_000 });
    expect(rateLimitHint({ 'X-RateLimit-Reset': String(NOW / 1000 + 90) }, NOW)).toEqual({
      resetAt: NOW + 90_000,
    });
    expect(rateLimitHint({}, NOW)).toEqual({});
  });
});

describe('classifyResponse', () => {
  it('maps statuses to outcomes', () => {
    expect(classifyResponse(200, {}, { latencyMs: 12, now: NOW })).toEqual({
      type: 'success',
      latencyMs: 12,
    });
    expect(classifyResponse(429, { 'retry-after': '3' }, { now: NOW })).toMatchObject({
      type: 'rate_limited',
      retryAfterMs: 3_000,
    });
    expect(classifyResponse(429, {}, { providerCode: 'insufficient_quota', now: NOW })).toEqual({
      type: 'quota_exhausted',
    });
    expect(classifyResponse(401, {}, { providerCode: 'invalid_api_key' })).toEqual({
      type: 'auth_failed',
      httpStatus: 401,
      reason: 'invalid_api_key',
    });
    expect(classifyResponse(403)).toMatchObject({ type: 'auth_failed' });
    expect(classifyResponse(503)).toEqual({ type: 'server_error', httpStatus: 503 });
    expect(classifyResponse(529)).toEqual({ type: 'server_error', httpStatus: 529 });
    expect(classifyResponse(408)).toEqual({ type: 'server_error', httpStatus: 408 });
    expect(classifyResponse(400)).toEqual({ type: 'client_error', httpStatus: 400 });
  });
});
