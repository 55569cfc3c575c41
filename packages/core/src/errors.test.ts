import { describe, expect, it } from 'vitest';
import { CtdError, CtdErrorCode, EXIT_CODE_OF_ERROR, ExitCode, exitCodeForError } from './errors.ts';

describe('exitCodeForError', () => {
  it('gives 2 for usage and not-found errors, 1 for the rest and for unknown errors', () => {
    expect(exitCodeForError(new CtdError('BAD_USAGE', 'x'))).toBe(ExitCode.USAGE);
    expect(exitCodeForError(new CtdError('NOT_FOUND', 'x'))).toBe(2);
    expect(exitCodeForError(new CtdError('LOCK_TIMEOUT', 'x'))).toBe(1);
    expect(exitCodeForError(new Error('boom'))).toBe(1);
    expect(exitCodeForError('boom')).toBe(1);
    // A foreign error with a code that looks like ours is not trusted: it is an internal error.
    expect(exitCodeForError(Object.assign(new Error('x'), { code: 'BAD_USAGE' }))).toBe(1);
  });

  it('has an exit code for every error code', () => {
    expect(Object.keys(EXIT_CODE_OF_ERROR).sort()).toEqual(Object.keys(CtdErrorCode).sort());
  });
});
