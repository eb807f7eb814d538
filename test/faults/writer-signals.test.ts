/**
 * Issue 9 §1, §5: SIGKILL and a 30 s SIGSTOP of the writer during a real CLI flash, while the
 * regions are read back (the table is not written yet) and once the table is written (the CLI
 * then clears the disk itself). The cases run concurrently (about a minute in all).
 */
import { describe, expect } from 'vitest';
import { EXIT_CODES } from '../../src/cli/exit-codes.ts';
import { flashAndAct, partitionVerifying, signal, stopAndContinue, tableWritten, TEST_TIMEOUT_MS } from '../support/flash-and-act.ts';
import { isRoot, itRootOnly, ROOT_ONLY_REASON } from '../support/loop-device.ts';

describe.skipIf(!isRoot()).concurrent(isRoot() ? 'faults: signals to the writer during a CLI flash' : `faults: signals to the writer during a CLI flash (skipped: ${ROOT_ONLY_REASON})`, () => {
  itRootOnly('SIGKILL of the writer while regions are read back: no table (it is not written yet), exit 5', async () => {
    const { run, acted } = await flashAndAct(partitionVerifying, async ({ writer }) => signal(writer, 'SIGKILL'));
    expect(acted).toBe(true);
    expect(run.code).toBe(EXIT_CODES.writeFailed);
    expect(run.stderr).toMatch(/writer exited without a result \(SIGKILL\)/);
    expect(run.stderr).toMatch(/no valid partition table/);
  }, TEST_TIMEOUT_MS);

  itRootOnly('SIGKILL of the writer once the table is written: the CLI zeroes both ends itself, or the flash had finished', async () => {
    const { run, acted } = await flashAndAct(tableWritten, async ({ writer }) => signal(writer, 'SIGKILL'));
    expect(acted).toBe(true);
    if (run.code !== EXIT_CODES.ok) expect(run.stderr).toMatch(/Both ends of \/dev\/loop\d+ were zeroed/);
  }, TEST_TIMEOUT_MS);

  itRootOnly('SIGSTOP of the writer for 30 s during the read-back: the CLI declares it silent, kills it and clears the disk', async () => {
    const { run, acted } = await flashAndAct(partitionVerifying, ({ writer }) => stopAndContinue(writer));
    expect(acted).toBe(true);
    expect(run.code).toBe(EXIT_CODES.writeFailed);
    expect(run.stderr).toMatch(/stopped answering/);
    expect(run.stderr).toMatch(/Both ends of \/dev\/loop\d+ were zeroed/);
  }, TEST_TIMEOUT_MS);

  itRootOnly('SIGSTOP of the writer for 30 s once the table is written: cleared by the CLI, or finished before the stop', async () => {
    const { run, acted } = await flashAndAct(tableWritten, ({ writer }) => stopAndContinue(writer));
    expect(acted).toBe(true);
    if (run.code !== EXIT_CODES.ok) expect(run.stderr).toMatch(/Both ends of \/dev\/loop\d+ were zeroed/);
  }, TEST_TIMEOUT_MS);

});
