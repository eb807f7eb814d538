/**
 * The CosiflashError a synchronous call throws, for tests that check its code and detail.
 * Anything else thrown is rethrown as is, and a call that does not throw fails the test.
 * (test/source/source-fixtures.ts has the async counterpart, errorOf.)
 */
import { CosiflashError } from '../../src/errors.ts';

/** Runs `action` and returns the CosiflashError it throws. */
export function thrownCosiflashError(action: () => unknown): CosiflashError {
  try {
    action();
  } catch (error) {
    if (error instanceof CosiflashError) return error;
    throw error;
  }
  throw new Error('expected a CosiflashError, nothing was thrown');
}
