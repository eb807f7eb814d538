/**
 * Runs a system tool (lsblk, umount, blockdev, …) without a shell and returns its stdout.
 * The tool is taken by absolute path from the system folders only (util/system-tool.ts), never
 * from PATH: this code may run as root. Failures carry the command line and the tool's own
 * stderr so callers can show them.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { findSystemTool, SYSTEM_TOOL_DIRS } from '../util/system-tool.ts';

const execFileAsync = promisify(execFile);

export class ToolError extends Error {
  readonly command: string;
  readonly stderr: string;
  /** ENOENT when the tool is not installed. */
  readonly missing: boolean;

  constructor(command: string, stderr: string, missing: boolean, cause: unknown) {
    super(`${command} failed: ${stderr || String(cause)}`, { cause });
    this.name = 'ToolError';
    this.command = command;
    this.stderr = stderr;
    this.missing = missing;
  }
}

/** Runs `command args…`; throws {@link ToolError} when it cannot start or exits non-zero. */
export async function runTool(command: string, args: readonly string[], options: { timeoutMs?: number } = {}): Promise<string> {
  const resolved = path.isAbsolute(command) ? command : findSystemTool(command);
  if (resolved === null) throw new ToolError([command, ...args].join(' '), `${command} is not installed in ${SYSTEM_TOOL_DIRS.join(', ')}`, true, new Error('ENOENT'));
  try {
    const { stdout } = await execFileAsync(resolved, [...args], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: options.timeoutMs ?? 60_000 });
    return stdout;
  } catch (error) {
    const stderr = ((error as { stderr?: string }).stderr ?? '').trim();
    const missing = (error as { code?: unknown }).code === 'ENOENT';
    throw new ToolError([command, ...args].join(' '), stderr, missing, error);
  }
}
