import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CosiflashError, fromAppError } from '../errors.ts';
import type { FlashProgress, FlashReport } from '../model/flash-progress.ts';
import { BUSY_SILENCE_LIMIT_MS, HEARTBEAT_INTERVAL_MS, PARENT_SILENCE_LIMIT_MS, WRITER_PROTOCOL_VERSION, createLineSplitter, encodeMessage, parseFromWriter, type ToWriterMessage } from './writer-protocol.ts';
import { createEventQueue } from './event-queue.ts';
import type { FlashRequest } from '../model/flash-request.ts';
import type { InspectedImage } from '../cosi/inspect-in-worker.ts';
import { needsElevation, planLaunch } from './plan-writer-launch.ts';
import { clearAbandonedDisk, snapshotDisk, type AbandonedDisk } from './clear-abandoned-disk.ts';
import { createActivityProbe } from './process-state.ts';
import { createSilenceWatch } from './silence-watch.ts';

/** A flash job running in a writer process (module-apis: src/writer). */
export interface WriterJob {
  readonly jobId: string;
  /** Progress events in order; ends when the job ends. Single consumer. */
  readonly events: AsyncIterable<FlashProgress>;
  /** Asks the writer to stop; `done` then resolves with a cancelled report. */
  cancel(): void;
  /** The final report (also for failed/cancelled flashes); rejects only when the writer itself fails. */
  readonly done: Promise<FlashReport>;
}

export interface SpawnWriterOptions {
  /** Runtime that runs the writer (default: this process's, e.g. node or Electron with ELECTRON_RUN_AS_NODE). */
  readonly execPath?: string;
  readonly execArgs?: string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Run through pkexec; default: when not root and the device is not writable (Linux). */
  readonly elevate?: boolean;
  /** The writer entry script (default: bin/cosiflash-writer.js, which runs writer-main.ts). */
  readonly script?: string;
  /**
   * A root-owned launcher that pkexec runs instead of `env … execPath script` (the packaged
   * Linux app's `resources/cosiflash-writer`, named by its polkit action).
   */
  readonly elevatedLauncher?: string;
  readonly jobId?: string;
}

/** How long a cancelled writer gets to clean up (zero the disk's ends) before SIGKILL. */
const CANCEL_GRACE_MS = 60_000;

/** A writer process started ahead of its job (it loads the core while the front end plans). */
export interface PreparedWriter {
  /** Hands the job to the writer (once). */
  start(request: FlashRequest): WriterJob;
  /** Lets the writer open and inspect the image while the front end plans (reads only). */
  prepareSource(location: string): void;
  /**
   * The writer's inspection of the image given to prepareSource (the front end may plan from it
   * instead of inspecting a second time); null when it failed, was never asked for, or the
   * writer ended first. The writer still checks the request's pinned hash against it.
   */
  readonly inspected: Promise<InspectedImage | null>;
  /** Stops a writer that never got a job. */
  dispose(): void;
}

/**
 * Starts a writer process for one flash and speaks the writer protocol with it: sends the
 * job with a fresh random token, validates every line it gets back, forwards progress,
 * sends heartbeats, and turns a silent or crashed writer into an E_WRITER error.
 */
export function spawnWriter(request: FlashRequest, options: SpawnWriterOptions = {}): WriterJob {
  return prepareWriter({ ...options, elevate: options.elevate ?? needsElevation(request), hintRequest: request }).start(request);
}

/**
 * Starts the writer process now and gives it its job later: the CLI calls this before it
 * inspects the image, so the writer's start-up (≈0.3 s of module loading) overlaps with the
 * plan and the confirmation. Only for writers that need no elevation: a pkexec prompt must
 * not appear before the user has confirmed.
 */
export function prepareWriter(options: SpawnWriterOptions & { readonly elevate: boolean; readonly hintRequest?: FlashRequest }): PreparedWriter {
  const jobId = options.jobId ?? randomUUID();
  const token = randomBytes(32).toString('hex');
  const events = createEventQueue<FlashProgress>();
  // The writer chooses its own compile cache folder (one only its user can write,
  // src/util/enable-private-compile-cache.js): a folder asked for by environment is not passed on.
  const { NODE_COMPILE_CACHE: _ignored, ...env } = options.env ?? process.env;
  let settle: { resolve: (report: FlashReport) => void; reject: (error: unknown) => void } | null = null;
  const done = new Promise<FlashReport>((resolve, reject) => (settle = { resolve, reject }));
  // A prepared writer may fail before anyone awaits `done`; that must not crash the process.
  done.catch(() => undefined);
  let pending: FlashRequest | null = null;
  let started = false;
  let helloSeen = false;
  let cancelRequested = false;
  let preparedLocation: string | null = null;
  let settled = false;
  let answerInspected: (value: InspectedImage | null) => void = () => undefined;
  const inspected = new Promise<InspectedImage | null>((resolve) => (answerInspected = resolve));
  const timers: { heartbeat?: NodeJS.Timeout } = {};
  const finish = (outcome: { report: FlashReport } | { error: unknown }): void => {
    if (settled) return;
    settled = true;
    clearInterval(timers.heartbeat);
    events.end();
    answerInspected(null);
    if ('report' in outcome) settle?.resolve(outcome.report);
    else settle?.reject(outcome.error);
  };

  let plan;
  try {
    plan = planLaunch({
      execPath: options.execPath ?? process.execPath,
      execArgs: options.execArgs ?? [],
      script: options.script ?? fileURLToPath(new URL('../../bin/cosiflash-writer.js', import.meta.url)),
      token,
      elevate: options.elevate,
      ...(options.elevatedLauncher === undefined ? {} : { elevatedLauncher: options.elevatedLauncher }),
      request: options.hintRequest ?? { source: '<image>', verify: true, unmount: false, allowLoop: false },
      env,
    });
  } catch (error) {
    finish({ error });
    const job: WriterJob = { jobId, events, cancel: () => undefined, done };
    return { start: () => job, prepareSource: () => undefined, inspected: Promise.resolve(null), dispose: () => undefined };
  }

  const child = spawn(plan.command, [...plan.args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const stderrTail: string[] = [];
  const silence = createSilenceWatch({ limitMs: PARENT_SILENCE_LIMIT_MS, intervalMs: HEARTBEAT_INTERVAL_MS });
  const writerActive = createActivityProbe(() => child.pid);
  let cancelTimer: NodeJS.Timeout | undefined;
  /** The disk the writer announced in its plan (from then on it may write to it). */
  let announced: AbandonedDisk | null = null;
  /** Why we killed the writer, when we did. */
  let killedFor: CosiflashError | null = null;
  const sendToWriter = (message: ToWriterMessage): void => {
    if (child.stdin.writable) child.stdin.write(encodeMessage(message));
  };
  child.stdin.on('error', () => undefined);
  child.stderr.on('data', (chunk: Buffer) => {
    stderrTail.push(chunk.toString('utf8'));
    while (stderrTail.join('').length > 8000) stderrTail.shift();
  });
  child.stdout.on(
    'data',
    createLineSplitter((line) => {
      const message = parseFromWriter(line, token);
      if (message === null) return;
      silence.heard();
      switch (message.type) {
        case 'hello':
          if (message.version !== WRITER_PROTOCOL_VERSION) {
            finish({ error: new CosiflashError('E_WRITER', `Writer speaks protocol ${message.version}, expected ${WRITER_PROTOCOL_VERSION}`) });
            child.kill('SIGTERM');
            return;
          }
          helloSeen = true;
          if (preparedLocation !== null) sendToWriter({ type: 'prepare', token, source: preparedLocation });
          if (pending !== null) sendToWriter({ type: 'start', token, jobId, request: pending });
          return;
        case 'progress':
          if (message.event.type === 'plan' && announced === null) announced = snapshotDisk(message.event.device);
          events.push(message.event);
          return;
        case 'prepared':
          answerInspected('inspected' in message ? message.inspected : null);
          return;
        case 'result':
          finish({ report: message.report });
          return;
        case 'error':
          finish({ error: fromAppError(message.error) });
          return;
        case 'heartbeat':
          return;
      }
    }),
  );
  child.on('error', (error) => finish({ error: new CosiflashError('E_WRITER', `Cannot start the writer (${plan.command}): ${error.message}`, { cause: error }) }));
  // 'close', not 'exit': it comes after everything the writer wrote has been read, so a result
  // still in the pipe (the writer finished while we were paused) is never lost.
  child.on('close', (code, signal) => {
    clearTimeout(cancelTimer);
    if (settled) return;
    void afterExit(code, signal);
  });
  const afterExit = async (code: number | null, signal: NodeJS.Signals | null): Promise<void> => {
    if (plan.elevated && (code === 126 || code === 127)) {
      finish({ error: new CosiflashError('E_PERMISSION', `Administrator rights were not granted (pkexec exited with ${code}).`) });
      return;
    }
    // Died after it was given a disk: clear that disk from here when we may (issue 9 §1).
    const cleanup = announced === null ? '' : ` ${(await clearAbandonedDisk(announced)).detail}`;
    if (cancelRequested) {
      finish({ error: new CosiflashError('E_CANCELLED', announced === null ? 'The flash was cancelled before it started writing.' : `The flash was cancelled; the writer did not finish its cleanup.${cleanup}`) });
      return;
    }
    if (killedFor !== null) {
      finish({ error: new CosiflashError(killedFor.code, `${killedFor.detail}${cleanup}`) });
      return;
    }
    const tail = stderrTail.join('').trim().split('\n').slice(-5).join('\n');
    finish({ error: new CosiflashError('E_WRITER', `The writer exited without a result (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ''}.${cleanup}`) });
  };
  timers.heartbeat = setInterval(() => {
    sendToWriter({ type: 'heartbeat', token });
    // A writer that still uses CPU (a loaded machine, a long module load) is slow, not hung: it
    // gets up to BUSY_SILENCE_LIMIT_MS; a stopped or idle one is declared silent at the limit.
    const active = writerActive();
    if (killedFor === null && silence.tick() === 'silent' && !(active && silence.silentForMs() < BUSY_SILENCE_LIMIT_MS)) {
      killedFor = new CosiflashError('E_WRITER', `The writer stopped answering for ${Math.round(silence.silentForMs() / 1000)} s and was stopped.`);
      clearInterval(timers.heartbeat);
      // 'close' then finishes the job, after clearing the disk; unless the process cannot even be reaped.
      child.kill('SIGKILL');
      setTimeout(() => finish({ error: killedFor ?? new CosiflashError('E_WRITER', 'The writer stopped answering') }), 30_000).unref();
    }
  }, HEARTBEAT_INTERVAL_MS);

  const cancel = (): void => {
    if (settled) return;
    cancelRequested = true;
    sendToWriter({ type: 'cancel', token });
    cancelTimer ??= setTimeout(() => child.kill('SIGKILL'), CANCEL_GRACE_MS);
  };
  const job: WriterJob = { jobId, events, cancel, done };
  return {
    start(request) {
      if (started) throw new CosiflashError('E_INTERNAL', 'This writer already has a job');
      started = true;
      pending = request;
      if (helloSeen) sendToWriter({ type: 'start', token, jobId, request });
      return job;
    },
    prepareSource(location) {
      if (started || preparedLocation !== null) return;
      preparedLocation = location;
      if (helloSeen) sendToWriter({ type: 'prepare', token, source: location });
    },
    inspected,
    dispose() {
      answerInspected(null);
      if (started) return;
      started = true;
      settled = true;
      clearInterval(timers.heartbeat);
      events.end();
      child.stdin.end();
    },
  };
}
