/**
 * The writer process, loaded by its entry src/writer/writer-main.ts (`node writer-main.ts
 * --token <hex>`, or Electron's binary with ELECTRON_RUN_AS_NODE=1, possibly through pkexec)
 * once the compile cache is on. Runs exactly one flash job received on stdin and reports on
 * stdout (src/writer/writer-protocol.ts).
 *
 * It never outlives its parent: stdin closing, a changed parent pid or a silent parent
 * cancels the job; SIGINT/SIGTERM cancel it too. A parent that is merely stopped (Ctrl-Z) is
 * not silent, and our own pauses are not counted against it (src/writer/silence-watch.ts). A cancelled job still zeroes the disk's
 * ends before the process exits, so a dead front end never leaves a half-valid disk.
 */
import { toAppError } from '../errors.ts';
import {
  HEARTBEAT_INTERVAL_MS,
  BUSY_SILENCE_LIMIT_MS,
  PARENT_SILENCE_LIMIT_MS,
  WRITER_PROTOCOL_VERSION,
  createLineSplitter,
  encodeMessage,
  parseToWriter,
  type FromWriterMessage,
} from './writer-protocol.ts';
import type { PreparedImage } from '../pipeline/prepare-image.ts';

import type { FlashRequest } from '../model/flash-request.ts';
import { createActivityProbe, processState } from './process-state.ts';
import { createSilenceWatch } from './silence-watch.ts';
import { traceStartup } from '../util/startup-trace.ts';

traceStartup('writer', 'process loaded');
const tokenIndex = process.argv.indexOf('--token');
const token = tokenIndex >= 0 ? (process.argv[tokenIndex + 1] ?? '') : '';
if (!/^[0-9a-f]{32,128}$/.test(token)) {
  process.stderr.write('writer-main: missing or malformed --token\n');
  process.exit(2);
}

const controller = new AbortController();
const initialParentPid = process.ppid;
const parentSilence = createSilenceWatch({ limitMs: PARENT_SILENCE_LIMIT_MS, intervalMs: HEARTBEAT_INTERVAL_MS });
/** Output not yet taken by the parent beyond which progress and heartbeats are dropped (it is not reading). */
const BACKLOG_LIMIT_BYTES = 1024 * 1024;
/** How long a finished writer waits for its parent to read the result before exiting anyway. */
const RESULT_DELIVERY_LIMIT_MS = 10 * 60_000;
let started = false;
/** The image the parent asked us to open early (see the 'prepare' message). */
let prepared: Promise<PreparedImage> | null = null;
let finished = false;

const send = (message: FromWriterMessage): void => {
  // A parent that does not read (stopped with Ctrl-Z, SIGSTOP) must not make us buffer without
  // bound: progress and heartbeats are dropped while the backlog is large; what matters (plan,
  // retries, the end, the result) is always queued.
  const droppable = message.type === 'heartbeat' || (message.type === 'progress' && message.event.type === 'progress');
  if (droppable && process.stdout.writableLength > BACKLOG_LIMIT_BYTES) return;
  process.stdout.write(encodeMessage(message));
};

const stop = (reason: string): void => {
  if (!controller.signal.aborted) controller.abort(new Error(reason));
  // Nothing running: nothing to clean up.
  if (!started) exitSoon(0);
};

const exitSoon = (code: number): void => {
  if (finished) return;
  finished = true;
  clearInterval(timer);
  // Never wait forever for a parent that does not read: what is in the pipe is delivered anyway.
  setTimeout(() => process.exit(code), RESULT_DELIVERY_LIMIT_MS).unref();
  process.stdout.write('', () => process.exit(code));
};

process.stdin.on(
  'data',
  createLineSplitter((line) => {
    const message = parseToWriter(line, token);
    if (message === null) return;
    parentSilence.heard();
    if (message.type === 'cancel') stop('cancelled by the parent');
    else if (message.type === 'prepare' && !started && prepared === null) {
      const location = message.source;
      prepared = imageModules.then(({ prepareImage }) => prepareImage(location, { signal: controller.signal }));
      prepared.catch(() => undefined);
      // The core loads once the image is inspected: the parent plans from that meanwhile.
      void prepared.then((p) => p.opened).finally(loadCore).catch(() => undefined);
      traceStartup('writer', 'prepare received');
      // The parent plans from this inspection instead of inspecting the image itself.
      void prepared.then((p) => p.opened).then(
        ({ source, image }) => {
          traceStartup('writer', 'prepared image inspected');
          send({ type: 'prepared', token, inspected: { layout: image.layout, source: { location: source.location, kind: source.kind, sizeBytes: source.sizeBytes, localPath: source.localPath } } });
        },
        (error: unknown) => send({ type: 'prepared', token, error: toAppError(error) }),
      );
    }
    else if (message.type === 'start' && !started) {
      started = true;
      traceStartup('writer', 'start received');
      void run(message.jobId, message.request);
    }
  }),
);
process.stdin.on('end', () => stop('parent closed the pipe'));
process.stdin.on('error', () => stop('parent pipe failed'));
process.stdout.on('error', () => stop('parent pipe failed'));
process.on('SIGINT', () => stop('interrupted (SIGINT)'));
process.on('SIGTERM', () => stop('terminated (SIGTERM)'));
process.on('SIGHUP', () => stop('hang-up (SIGHUP)'));

const parentActive = createActivityProbe(() => process.ppid);
const timer = setInterval(() => {
  send({ type: 'heartbeat', token });
  if (process.ppid !== initialParentPid) stop('parent process exited');
  else {
    // A stopped parent (Ctrl-Z) is paused, not gone; one that still uses CPU is slow, and gets
    // up to BUSY_SILENCE_LIMIT_MS.
    const active = parentActive();
    if (processState(process.ppid) === 'stopped') parentSilence.heard();
    else if (parentSilence.tick() === 'silent' && !(active && parentSilence.silentForMs() < BUSY_SILENCE_LIMIT_MS)) stop('parent went silent');
  }
}, HEARTBEAT_INTERVAL_MS);

send({ type: 'hello', token, version: WRITER_PROTOCOL_VERSION, pid: process.pid, uid: process.getuid?.() ?? null });

// After hello, the modules that open and inspect an image load first, then the core (the flash
// engine). Node loads a module graph synchronously, reading no stdin meanwhile, so a 'prepare'
// sent at hello is handled between the two (setImmediate runs after pending input is read) and
// the core is loaded after that inspection, while the parent plans from it (issue 10). Without
// a 'prepare' the core loads right away. hello and cancel never wait for either; a job that
// arrives later finds them ready. A load failure surfaces in run().
// The compile cache, when writer-main.ts could enable one, is a folder only this process's user
// can write (src/util/enable-private-compile-cache.js).
traceStartup('writer', 'hello sent');
const imageModules = import('../pipeline/prepare-image.ts');
imageModules.catch(() => undefined);
let core: Promise<typeof import('../pipeline/flash-disk.ts')> | null = null;
function loadCore(): Promise<typeof import('../pipeline/flash-disk.ts')> {
  if (core === null) {
    core = import('../pipeline/flash-disk.ts');
    void core.then(() => traceStartup('writer', 'core loaded'), () => undefined);
    core.catch(() => undefined);
  }
  return core;
}
void imageModules.finally(() => setImmediate(() => void (prepared === null ? loadCore() : undefined))).catch(() => undefined);

async function run(jobId: string, request: FlashRequest): Promise<void> {
  try {
    const { flashDisk } = await loadCore();
    const image = prepared === null ? undefined : await prepared.catch(() => undefined);
    const report = await flashDisk(request, {
      signal: controller.signal,
      jobId,
      ...(image === undefined ? {} : { prepared: image }),
      onEvent: (event) => send({ type: 'progress', token, event }),
    });
    send({ type: 'result', token, report });
    exitSoon(0);
  } catch (error) {
    send({ type: 'error', token, error: toAppError(error) });
    exitSoon(1);
  }
}
