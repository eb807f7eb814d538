/**
 * Issue 9 §3, §5: a CLI stopped for 30 s (Ctrl-Z, SIGSTOP) and continued must not declare its
 * writer silent: the writer goes on meanwhile, and the CLI reads the result waiting in the pipe.
 */
import { describe, expect } from 'vitest';
import { EXIT_CODES } from '../../src/cli/exit-codes.ts';
import { flashAndAct, partitionVerifying, partitionWriting, reportOf, stopAndContinue, TEST_TIMEOUT_MS } from '../support/flash-and-act.ts';
import { isRoot, itRootOnly, ROOT_ONLY_REASON } from '../support/loop-device.ts';

describe.skipIf(!isRoot()).concurrent(isRoot() ? 'faults: the CLI stopped for 30 s' : `faults: the CLI stopped for 30 s (skipped: ${ROOT_ONLY_REASON})`, () => {
  const cases = [
    { when: 'while writing: the writer goes on, and the continued CLI reports the verified flash', phase: partitionWriting },
    { when: 'during the read-back: the result waiting in the pipe is read, not a silent writer', phase: partitionVerifying },
  ];
  for (const { when, phase } of cases) {
    itRootOnly(`SIGSTOP of the CLI for 30 s ${when}`, async () => {
      const { run, acted } = await flashAndAct(phase, ({ cli }) => stopAndContinue(cli));
      expect(acted).toBe(true);
      expect(run.code, run.stderr).toBe(EXIT_CODES.ok);
      expect(reportOf(run)?.outcome).toBe('verified');
    }, TEST_TIMEOUT_MS);
  }
});
