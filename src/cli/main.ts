import { terminalText } from '../common/terminal-text.ts';
import { CosiflashError, toAppError } from '../errors.ts';
import { traceStartup } from '../util/startup-trace.ts';
import { EXIT_CODES, exitCodeFor } from './exit-codes.ts';

/** One CLI command: receives its own arguments, returns the process exit code. */
export type CommandRunner = (args: readonly string[]) => Promise<number>;

const COMMANDS: Record<string, { readonly summary: string; readonly load: () => Promise<CommandRunner> }> = {
  inspect: { summary: 'Show what a COSI image contains and validate it (reads only its start)', load: async () => (await import('./inspect-command.ts')).runInspect },
  verify: { summary: 'Read a whole COSI once and check every region (writes nothing)', load: async () => (await import('./verify-command.ts')).runVerify },
  disks: { summary: 'List disks, and with --for <image> which ones can take it', load: async () => (await import('./disks-command.ts')).runDisks },
  flash: { summary: 'Stream a COSI onto a disk, verified', load: async () => (await import('./flash-command.ts')).runFlash },
  cache: { summary: 'List, remove, clear or pre-load (fetch) the verified image cache', load: async () => (await import('./cache-command.ts')).runCache },
  log: { summary: 'List the flash log: every flash of this machine, passed or not', load: async () => (await import('./log-command.ts')).runLog },
  serve: { summary: 'Serve the app UI in a browser (web mode, loopback only)', load: async () => (await import('./serve-command.ts')).runServe },
};

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(8)} ${summary}`);
  return ['Usage: cosiflash <command> [options]', '', 'Commands:', ...lines, '', 'Run `cosiflash <command> --help` for the options of a command.'].join('\n');
}

/** Dispatches `cosiflash <command> …`; errors become a message on stderr and an exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`cosiflash: unknown command "${name}"\n\n${usage()}\n`);
    return EXIT_CODES.usage;
  }
  try {
    const run = await command.load();
    traceStartup('cli', `${name} loaded`);
    return await run(rest);
  } catch (error) {
    const appError = toAppError(error);
    // Details quote the image (entry names, JSON keys, partition names): escaped, never raw.
    process.stderr.write(`cosiflash ${name}: ${appError.code}: ${terminalText(appError.title)}\n  ${terminalText(appError.detail)}\n${appError.hint ? `  ${terminalText(appError.hint)}\n` : ''}`);
    return error instanceof CosiflashError ? exitCodeFor(error) : EXIT_CODES.internal;
  }
}
