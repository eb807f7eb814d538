/**
 * Runs `cosiflash serve` as a child process for end-to-end tests, exactly as a user would
 * (bin/cosiflash.js under the pinned Node 24), restricted to the test's own devices, with a
 * private config dir so recent images and reports never touch the real user's, and with the
 * image cache off (a test's second flash of an image must reach the test's server and its
 * faults) and, when a test turns it on, in a private folder too.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../support/cosi-fixtures.ts';

export const NODE_24 = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'node');

export interface ServeProcess {
  /** The printed `http://127.0.0.1:PORT/?token=…`. */
  readonly url: string;
  readonly configDir: string;
  /** Everything the server printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export async function startServe(options: { onlyDevices: readonly string[]; allowLoop: boolean; extraArgs?: readonly string[]; cache?: boolean }): Promise<ServeProcess> {
  if (options.onlyDevices.length === 0) throw new Error('e2e: always restrict cosiflash serve to the test’s own devices');
  const configDir = await mkdtemp(path.join(tmpdir(), 'cosiflash-e2e-config-'));
  const args = [path.join(PROJECT_ROOT, 'bin', 'cosiflash.js'), 'serve', '--port', '0', '--only', options.onlyDevices.join(',')];
  if (options.allowLoop) args.push('--allow-loop');
  if (options.cache !== true) args.push('--no-cache');
  args.push(...(options.extraArgs ?? []));
  const child: ChildProcess = spawn(NODE_24, args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, COSIFLASH_CONFIG_DIR: configDir, XDG_CACHE_HOME: path.join(configDir, 'cache') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (text += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cosiflash serve printed no URL within 30 s:\n${text}`)), 30_000);
    child.stdout?.on('data', (chunk: string) => {
      text += chunk;
      const match = /Cosiflash web UI: (http:\/\/\S+)/.exec(text);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cosiflash serve exited with ${code}:\n${text}`));
    });
  });
  return {
    url,
    configDir,
    output: () => text,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(configDir, { recursive: true, force: true });
    },
  };
}

/** Builds the renderer when dist/renderer is missing (`npm test` builds it before vitest). */
export async function ensureRendererBuilt(): Promise<void> {
  if (existsSync(path.join(PROJECT_ROOT, 'dist', 'renderer', 'index.html'))) return;
  await promisify(execFile)(NODE_24, [path.join(PROJECT_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'renderer/vite.config.ts'], { cwd: PROJECT_ROOT });
}
