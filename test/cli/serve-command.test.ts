import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../web/ws-client.ts';

const root = path.resolve(import.meta.dirname, '../..');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-serve-'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>Cosiflash</title>');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs `cosiflash serve …` with the project's Node; resolves once it printed its URL. */
function startServe(args: string[]) {
  const child = spawn(process.execPath, [path.join(root, 'bin/cosiflash.js'), 'serve', ...args], {
    env: { ...process.env, COSIFLASH_CONFIG_DIR: path.join(dir, 'config') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Cosiflash web UI: (\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
  return { child, url, exited, output: () => output };
}

describe('cosiflash serve', () => {
  it('serves on 127.0.0.1 with a token, answers over WebSocket and stops on SIGTERM', async () => {
    const serve = startServe(['--static-dir', dir]);
    try {
      const url = new URL(await serve.url);
      expect(url.hostname).toBe('127.0.0.1');
      expect(url.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
      const client = await connect(`ws://${url.host}/ws?token=${url.searchParams.get('token')}`, { origin: url.origin });
      expect(await client.call('app:info', {})).toMatchObject({ ok: true, value: { mode: 'web' } });
      await client.close();
    } finally {
      serve.child.kill('SIGTERM');
    }
    expect(await serve.exited).toBe(0);
  });

  it('refuses to listen on a non-loopback interface without --allow-remote', async () => {
    const serve = startServe(['--static-dir', dir, '--host', '0.0.0.0']);
    serve.url.catch(() => undefined);
    expect(await serve.exited).toBe(2);
    expect(serve.output()).toContain('E_INPUT');
    expect(serve.output()).toContain('--allow-remote');
  });

  it('rejects unknown options with a usage error', async () => {
    const serve = startServe(['--frobnicate']);
    serve.url.catch(() => undefined);
    expect(await serve.exited).toBe(2);
  });
});
