/**
 * Issue 9 §3, §5: a CLI stopped for 30 s (Ctrl-Z, SIGSTOP) and continued must not declare its
 * writer silent: the writer goes on meanwhile, and the CLI reads the result waiting in the pipe.
 */
import { describe, expect } from 'vitest';
import { EXIT_CODES } from '../../src/cli/exit-codes.ts';
import { flashAndAct, partitionVerifying, partitionWriting, reportOf, signal, sleep, STOP_MS, TEST_TIMEOUT_MS } from '../support/flash-and-act.ts';
import { isRoot, itRootOnly, ROOT_ONLY_REASON } from '../support/loop-device.ts';

describe.skipIf(!isRoot()).concurrent(isRoot() ? 'faults: the CLI stopped for 30 s' : `faults: the CLI stopped for 30 s (skipped: ${ROOT_ONLY_REASON})`, () => {
  itRootOnly('SIGSTOP of the CLI for 30 s while writing: the writer goes on, and the continued CLI reports the verified flash', async () => {
    const { run, acted } = await flashAndAct(partitionWriting, async ({ cli }) => {
      signal(cli, 'SIGSTOP');
      await sleep(STOP_MS);
      signal(cli, 'SIGCONT');
    });
    expect(acted).toBe(true);
    expect(run.code, run.stderr).toBe(EXIT_CODES.ok);
    expect(reportOf(run)?.outcome).toBe('verified');
  }, TEST_TIMEOUT_MS);

  itRootOnly('SIGSTOP of the CLI for 30 s during the read-back: the result waiting in the pipe is read, not a silent writer', async () => {
    const { run, acted } = await flashAndAct(partitionVerifying, async ({ cli }) => {
      signal(cli, 'SIGSTOP');
      await sleep(STOP_MS);
      signal(cli, 'SIGCONT');
    });
    expect(acted).toBe(true);
    expect(run.code, run.stderr).toBe(EXIT_CODES.ok);
    expect(reportOf(run)?.outcome).toBe('verified');
  }, TEST_TIMEOUT_MS);
});
