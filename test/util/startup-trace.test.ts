import { spawnSync } from 'node:child_process';
import { chownSync, linkSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/cosi-fixtures.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs traceStartup in a fresh Node with COSIFLASH_TRACE_FILE=file. */
function traceTo(file: string): void {
  const script = `import { traceStartup } from ${JSON.stringify(path.join(PROJECT_ROOT, 'src/util/startup-trace.ts'))};\ntraceStartup('test', 'step');`;
  const result = spawnSync(path.join(PROJECT_ROOT, 'node_modules/.bin/node'), ['--input-type=module', '-e', script], { env: { ...process.env, COSIFLASH_TRACE_FILE: file }, encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
}

describe('the start-up trace', () => {
  it('appends one line to a new file of its own', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cosiflash-trace-'));
    dirs.push(dir);
    const file = path.join(dir, 'trace.txt');
    traceTo(file);
    traceTo(file);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
    expect(readFileSync(file, 'utf8')).toMatch(/^\d+\.\d \d+ test step\n/);
  });

  it('never writes through a symlink, a hard link or a file of another user', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cosiflash-trace-'));
    dirs.push(dir);
    const victim = path.join(dir, 'victim');
    writeFileSync(victim, 'keep\n');
    const link = path.join(dir, 'link');
    symlinkSync(victim, link);
    traceTo(link);
    expect(readFileSync(victim, 'utf8')).toBe('keep\n');
    const hard = path.join(dir, 'hard');
    linkSync(victim, hard);
    traceTo(hard);
    expect(readFileSync(victim, 'utf8')).toBe('keep\n');
    if (process.getuid?.() === 0) {
      const foreign = path.join(dir, 'foreign');
      writeFileSync(foreign, 'theirs\n');
      chownSync(foreign, 65534, 65534);
      traceTo(foreign);
      expect(readFileSync(foreign, 'utf8')).toBe('theirs\n');
    }
  });
});
