/**
 * Helpers for the real servers tests start as child processes (nginx, docker-registry): a free
 * loopback port, waiting until the server listens (failing with its stderr if it exits or
 * reports a problem first), and stopping it.
 */
import type { ChildProcess } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';

/** A port that was free on 127.0.0.1 a moment ago (for servers that cannot listen on port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Polls until `name` accepts connections on 127.0.0.1:port; `fatal` matches stderr lines that end the wait. */
export async function waitForPort(port: number, child: ChildProcess, stderr: () => string, options: { name: string; fatal?: RegExp }): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${options.name} exited (${child.exitCode ?? child.signalCode}): ${stderr()}`);
    if (options.fatal?.test(stderr())) throw new Error(`${options.name}: ${stderr()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${options.name} did not start listening on 127.0.0.1:${port}: ${stderr()}`);
}

/** SIGTERM, then SIGKILL after 3 s; resolves once the process has exited. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}
