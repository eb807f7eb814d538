/**
 * Runs the real `cosiflash` CLI as a child process with the pinned Node, asynchronously so
 * HTTP servers in the test process keep answering while it runs.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../support/cosi-fixtures.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const node = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'node');
  return new Promise((resolve) => {
    execFile(node, [path.join(PROJECT_ROOT, 'bin', 'cosiflash.js'), ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...options.env }, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}
