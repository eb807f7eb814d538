/**
 * Debian's stock nginx serving a directory on 127.0.0.1, so tests prove the HTTP source works
 * against a real, widely deployed web server (its own Range, ETag and If-Range handling), not
 * only against our own test server. Runs in the foreground with a throw-away prefix and config.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, stopProcess, waitForPort } from './server-process.ts';

export const NGINX_PATH = '/usr/sbin/nginx';

/** Why nginx tests must skip, or null when nginx is installed. */
export function nginxSkipReason(): string | null {
  return existsSync(NGINX_PATH) ? null : `nginx is not installed (${NGINX_PATH} missing; apt-get install nginx-light)`;
}

export interface NginxServer {
  /** `http://127.0.0.1:<port>/<path>` (path segments are percent-encoded). */
  url(filePath: string): string;
  readonly port: number;
  /** The access log (nginx's combined format, one line per finished request). */
  readonly accessLog: string;
  /** Stops nginx (its connections drop), waits `downMs`, and starts it again on the same port. */
  restart(downMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Body bytes nginx sent ($body_bytes_sent of every access-log line), optionally only for request lines containing `pathPart`. */
export async function nginxBodyBytes(server: NginxServer, pathPart?: string): Promise<number> {
  const text = await readFile(server.accessLog, 'utf8').catch(() => '');
  let total = 0;
  for (const line of text.split('\n')) {
    if (pathPart !== undefined && !line.includes(pathPart)) continue;
    const match = /" (\d{3}) (\d+) "/.exec(line);
    if (match !== null) total += Number(match[2]);
  }
  return total;
}

/** A directory to serve, or files to publish (Buffers are written out, paths are symlinked). */
export type NginxContent = string | { root: string } | { files: Record<string, Buffer | string> };

/** Starts nginx on a free 127.0.0.1 port; throws with a clear reason when nginx is missing. */
export async function startNginx(content: NginxContent, options: { limitRate?: string } = {}): Promise<NginxServer> {
  const skip = nginxSkipReason();
  if (skip !== null) throw new Error(skip);
  const prefix = await mkdtemp(path.join(os.tmpdir(), 'cosiflash-nginx-'));
  const root = typeof content === 'string' ? path.resolve(content) : 'root' in content ? path.resolve(content.root) : path.join(prefix, 'www');
  if (typeof content !== 'string' && 'files' in content) await publishFiles(root, content.files);
  for (const dir of ['logs', 'tmp']) await mkdir(path.join(prefix, dir), { recursive: true });

  let attempt = 0;
  for (;;) {
    attempt += 1;
    try {
      const launched = await launch(prefix, root, await freePort(), options.limitRate);
      const { port } = launched;
      let child: ChildProcess | null = launched.child;
      return {
        port,
        accessLog: path.join(prefix, 'logs', 'access.log'),
        url: (filePath) => `http://127.0.0.1:${port}/${filePath.replace(/^\/+/, '').split('/').map(encodeURIComponent).join('/')}`,
        restart: async (downMs) => {
          if (child !== null) await stopProcess(child);
          child = null;
          await new Promise((resolve) => setTimeout(resolve, downMs));
          child = (await launch(prefix, root, port, options.limitRate)).child;
        },
        close: async () => {
          if (child !== null) await stopProcess(child);
          await rm(prefix, { recursive: true, force: true });
        },
      };
    } catch (error) {
      // Another process may grab the free port before nginx binds it: try another one.
      if (attempt < 3 && /in use/i.test(String(error))) continue;
      await rm(prefix, { recursive: true, force: true });
      throw error;
    }
  }
}

async function launch(prefix: string, root: string, port: number, limitRate: string | undefined): Promise<{ port: number; child: ChildProcess }> {
  const isRoot = process.getuid?.() === 0;
  const config = [
    isRoot ? 'user root;' : '',
    'daemon off;',
    'master_process off;',
    'worker_processes 1;',
    `pid ${path.join(prefix, 'nginx.pid')};`,
    `error_log ${path.join(prefix, 'logs', 'error.log')} warn;`,
    'events { worker_connections 256; }',
    'http {',
    `  access_log ${path.join(prefix, 'logs', 'access.log')};`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${path.join(prefix, 'tmp', kind)};`),
    '  default_type application/octet-stream;',
    '  sendfile on;',
    // Per-connection rate limit (nginx limit_rate), so a test can stop a transfer half way.
    limitRate === undefined ? '' : `  limit_rate ${limitRate};`,
    '  server {',
    // With a rate limit, a small send buffer: what nginx counts as sent is then what the client got.
    `    listen 127.0.0.1:${port}${limitRate === undefined ? '' : ' sndbuf=64k'};`,
    `    root ${root};`,
    '  }',
    '}',
  ].join('\n');
  const configPath = path.join(prefix, 'nginx.conf');
  await writeFile(configPath, `${config}\n`);

  const child = spawn(NGINX_PATH, ['-p', prefix, '-c', configPath, '-e', path.join(prefix, 'logs', 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => { stderr += data.toString(); });
  try {
    await waitForPort(port, child, () => stderr, { name: 'nginx' });
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  return { port, child };
}


async function publishFiles(root: string, files: Record<string, Buffer | string>): Promise<void> {
  await mkdir(root, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    const target = path.join(root, name.replace(/^\/+/, ''));
    await mkdir(path.dirname(target), { recursive: true });
    if (Buffer.isBuffer(content)) await writeFile(target, content);
    else await symlink(path.resolve(content), target);
  }
}

