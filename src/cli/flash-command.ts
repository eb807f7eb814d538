/**
 * `cosiflash flash <url>`: inspects the image, chooses the target, shows the plan, asks the
 * user to type the device name, then runs the job in the writer process (src/pipeline/
 * spawn-writer.ts) and shows its progress. Nothing is written before the confirmation, and
 * never with --dry-run. The writer gets the image hash shown in the plan as its expected
 * hash, so it cannot write a different image than the one the user confirmed.
 */
import path from 'node:path';
import { parseExpectedHash } from '../cosi/image-hash.ts';
import { terminalText } from '../common/terminal-text.ts';
import { CosiflashError } from '../errors.ts';
import type { DiskInfo } from '../model/disk-info.ts';
import type { InspectedImage } from '../cosi/inspect-in-worker.ts';
import type { Layout } from '../model/layout.ts';
import type { FlashReport } from '../model/flash-progress.ts';
import type { FlashCacheRequest, FlashRequest } from '../model/flash-request.ts';
import { prepareWriter, spawnWriter, type PreparedWriter, type SpawnWriterOptions, type WriterJob } from '../writer/spawn-writer.ts';
import { needsElevation } from '../writer/plan-writer-launch.ts';
import { flashLogEntries, flashLogEntriesBeforeWriting, tryAppendFlashLog } from '../service/flash-log.ts';
import { traceStartup } from '../util/startup-trace.ts';
import { writePrivateFile } from '../util/private-path.ts';
import { cacheRequest, CACHE_MAX_HELP, CACHE_MAX_OPTION } from './cache-option.ts';
import { confirmTargets } from './confirm-targets.ts';
import { EXIT_CODES } from './exit-codes.ts';
import { formatFlashPlan } from './format-flash-plan.ts';
import { warnAboutRecentImage } from './recent-image-warning.ts';
import { allTargetsOk, flashSummary, reportExitCode } from './flash-summary.ts';
import { createFlashProgressView } from './flash-progress-view.ts';
import { deviceList, parseCommandArgs } from './parse-command-args.ts';
export { isShortNameOf } from './confirm-targets.ts';
import { PLAIN_HTTP_HELP, PLAIN_HTTP_OPTION } from './plain-http-option.ts';
import { REMOTE_HELP, REMOTE_OPTIONS, remoteFlags, type RemoteFlags } from './remote-option.ts';
import { parseRetryForSeconds, RETRY_FOR_HELP, RETRY_FOR_OPTION } from './retry-for-option.ts';

export const FLASH_HELP = `Usage: cosiflash flash <path|url|oci://…> [options]

Streams a COSI image onto a whole disk: each partition image to its offset, the partition
table last, then reads everything back and compares. No temporary copy is made.

Options:
  --disk DEV       Write to DEV (default: the smallest eligible disk that fits); repeat it,
                   or a comma list (--disk a,b), to write several disks at once
  --count N        Write to the N smallest eligible disks that fit, all at once (not with --disk)
  --hash HASH      Refuse unless the image hash is HASH (sha384:<hex> or the hex digits)
  --yes            Do not ask for confirmation (needed when stdin is not a terminal); needs --disk or --auto
  --auto           With --yes: write to the smallest eligible disk that fits (or the --count N
                   smallest), chosen unattended
  --unmount        Unmount the target's partitions first (otherwise a mounted disk is refused)
  --no-verify      Skip the read-back verification
  --allow-loop     Consider loop devices (for testing)
  --only DEV       Consider only DEV (repeatable, or a comma list: --only a,b)
  --dry-run        Show the plan and stop; nothing is written
  --json           Newline-delimited JSON progress events and the final report on stdout
  --report FILE    Save the final report (JSON) to FILE
  --log FILE       Append the flash log line to FILE (default: <config dir>/flash-log.jsonl)
  --station NAME   Station name in the report and the log (default: the host name)
  --operator NAME  Who runs the flash, for the log
  --cache          Keep an http(s) image in the verified image cache, and read what it
                   holds from there (see cosiflash cache --help); resumes a partial download
${CACHE_MAX_HELP}
${RETRY_FOR_HELP}
${PLAIN_HTTP_HELP}
${REMOTE_HELP}
  -h, --help       Show this help

With --remote the station flashes one of its own disks: --disk names it, --auto lets the
station choose; the station's own --only/--allow-loop policy and flash log apply.

Exit status: 0 written (and verified), 2 bad usage, 3 invalid image or hash mismatch,
4 target refused (nothing written; with --remote also: station unreachable, token refused,
station busy), 5 write or verification failed (the disk has no valid partition table; with
--remote also: connection lost during the flash), 6 cancelled. Several disks (--disk
repeated, --count): every disk is listed and typed back at the prompt, gets its own verdict
and log line; 0 only when every disk is ok, otherwise the worst disk's code.`;

export interface FlashArgs {
  readonly location: string;
  /** The first --disk (the only one for --remote). */
  readonly disk: string | undefined;
  /** Every --disk, in order (repeated or a comma list). */
  readonly disks: readonly string[] | undefined;
  /** --count N: the N smallest eligible disks that fit. */
  readonly count: number | undefined;
  readonly hash: string | undefined;
  readonly yes: boolean;
  readonly auto: boolean;
  readonly unmount: boolean;
  readonly verify: boolean;
  readonly allowLoop: boolean;
  readonly only: readonly string[] | undefined;
  readonly dryRun: boolean;
  readonly json: boolean;
  readonly report: string | undefined;
  readonly log: string | undefined;
  readonly station: string | undefined;
  readonly operator: string | undefined;
  readonly retryForSeconds: number | undefined;
  readonly plainHttp: boolean;
  readonly cache: FlashCacheRequest | undefined;
  readonly remote: RemoteFlags | undefined;
  readonly help: boolean;
}

/** Parses the command line; E_INPUT on anything unknown. */
export function parseFlashArgs(args: readonly string[]): FlashArgs {
  const { values, positionals } = parseCommandArgs('flash', {
    args: [...args],
    options: {
      disk: { type: 'string', multiple: true },
      count: { type: 'string' },
      hash: { type: 'string' },
      yes: { type: 'boolean', short: 'y' },
      auto: { type: 'boolean' },
      unmount: { type: 'boolean' },
      'no-verify': { type: 'boolean' },
      'allow-loop': { type: 'boolean' },
      only: { type: 'string', multiple: true },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      report: { type: 'string' },
      log: { type: 'string' },
      station: { type: 'string' },
      operator: { type: 'string' },
      ...RETRY_FOR_OPTION,
      ...PLAIN_HTTP_OPTION,
      cache: { type: 'boolean' },
      ...CACHE_MAX_OPTION,
      ...REMOTE_OPTIONS,
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  const help = values.help ?? false;
  const disks = deviceList(values.disk);
  const count = values.count === undefined ? undefined : parseCount(values.count);
  if (!help && count !== undefined && disks !== undefined) throw new CosiflashError('E_INPUT', 'flash: give either --disk DEV (repeatable) or --count N, not both.');
  if (!help && values.yes === true && disks === undefined && values.auto !== true) {
    throw new CosiflashError('E_INPUT', 'flash: --yes writes without asking, so it needs the disk named: add --disk DEV, or --auto to let Cosiflash pick the smallest eligible disk that fits.');
  }
  if (!help && values.auto === true && disks !== undefined) throw new CosiflashError('E_INPUT', 'flash: give either --disk DEV or --auto, not both.');
  if (!help && values['cache-max'] !== undefined && values.cache !== true) throw new CosiflashError('E_INPUT', 'flash: --cache-max only applies with --cache.');
  if (!help && positionals.length !== 1) throw new CosiflashError('E_INPUT', `flash: give exactly one image path or URL (got ${positionals.length}); see cosiflash flash --help`);
  const remote = remoteFlags('flash', values);
  if (!help && remote !== undefined && count !== undefined) throw new CosiflashError('E_INPUT', 'flash --remote: a station flashes one disk per request; --count applies to local disks.');
  if (!help && remote !== undefined && disks !== undefined && disks.length > 1) throw new CosiflashError('E_INPUT', 'flash --remote: a station flashes one disk per request; give --disk once.');
  return {
    location: positionals[0] ?? '',
    disk: disks?.[0],
    disks,
    count,
    hash: values.hash,
    yes: values.yes ?? false,
    auto: values.auto ?? false,
    unmount: values.unmount ?? false,
    verify: !(values['no-verify'] ?? false),
    allowLoop: values['allow-loop'] ?? false,
    only: deviceList(values.only),
    dryRun: values['dry-run'] ?? false,
    json: values.json ?? false,
    report: values.report,
    log: values.log,
    station: values.station,
    operator: values.operator,
    retryForSeconds: parseRetryForSeconds('flash', values['retry-for']),
    plainHttp: values['plain-http'] ?? false,
    cache: values.cache === true ? cacheRequest('flash', values['cache-max']) : undefined,
    remote,
    help,
  };
}

/** `--count N`: a whole number from 1 to 16 (the most disks one flash writes). */
function parseCount(text: string): number {
  const count = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isInteger(count) || count < 1 || count > 16) throw new CosiflashError('E_INPUT', `flash: --count needs a whole number of disks from 1 to 16 (got "${text}").`);
  return count;
}

/** Test and embedding hooks (how the writer is started). */
export interface RunFlashOptions {
  readonly writer?: SpawnWriterOptions;
}

export async function runFlash(args: readonly string[], options: RunFlashOptions = {}): Promise<number> {
  const flags = parseFlashArgs(args);
  if (flags.help) {
    process.stdout.write(`${FLASH_HELP}\n`);
    return EXIT_CODES.ok;
  }
  const expectedHash = flags.hash === undefined ? undefined : parseExpectedHash(flags.hash);
  if (flags.remote !== undefined) return (await import('./remote-flash.ts')).runRemoteFlash(flags, flags.remote, expectedHash);
  // Human-readable text goes to stderr with --json, so stdout stays pure NDJSON.
  const say = (text: string): void => void (flags.json ? process.stderr : process.stdout).write(`${text}\n`);

  // Start the writer now, unless it needs a pkexec prompt (that must follow the confirmation):
  // its start-up then overlaps with inspecting the image and with the confirmation.
  const draft: FlashRequest = { source: flags.location, ...(flags.disk === undefined ? {} : { device: flags.disk }), verify: flags.verify, unmount: flags.unmount, allowLoop: flags.allowLoop };
  const elevate = options.writer?.elevate ?? needsElevation(draft);
  let prepared: PreparedWriter | null = flags.dryRun || elevate ? null : prepareWriter({ ...options.writer, elevate: false, hintRequest: draft });
  // The writer opens ahead only what it would open the same way for the request: not a
  // plain-HTTP registry (that needs the request's options) and not a cached flash (it opens
  // the image through the cache itself).
  // The CLI then plans from the writer's inspection (one inspection per flash, by the process
  // that writes; the writer checks the pinned hash again), or inspects itself when that failed.
  let writerInspected: Promise<InspectedImage | null> | null = null;
  if (!flags.plainHttp && flags.cache === undefined && prepared !== null) {
    prepared.prepareSource(/^[a-z][a-z0-9+.-]*:\/\//i.test(flags.location) ? flags.location : path.resolve(flags.location));
    writerInspected = prepared.inspected;
  }
  traceStartup('cli', 'writer spawned');
  const startedAt = new Date();
  const logContext: { station?: string; operator?: string; layout?: Layout; disk?: DiskInfo; disks?: readonly DiskInfo[] } = {
    ...(flags.station === undefined ? {} : { station: flags.station }),
    ...(flags.operator === undefined ? {} : { operator: flags.operator }),
  };
  const logOptions = flags.log === undefined ? {} : { file: flags.log };
  let writing = false;
  try {
    // The one flash plan (src/pipeline/plan-flash.ts), pinned to the image hash shown below and
    // carrying the identity of the disk shown: the writer refuses anything else.
    const { planFlash, flashRequestForAll } = await import('../pipeline/plan-flash.ts');
    traceStartup('cli', 'plan-flash loaded');
    const inspected = writerInspected === null ? null : await writerInspected;
    traceStartup('cli', inspected === null ? 'inspecting itself' : 'writer inspected the image');
    const plan = await planFlash({
      location: flags.location,
      ...(inspected === null ? {} : { prepared: inspected }),
      ...(expectedHash === undefined ? {} : { expectedHash }),
      targets: flags.disks !== undefined ? { kind: 'named', devices: flags.disks.map((device) => ({ device })) } : flags.count !== undefined && flags.count > 1 ? { kind: 'count', count: flags.count } : { kind: 'auto' },
      verify: flags.verify,
      unmount: flags.unmount,
      allowVirtual: flags.allowLoop,
      ...(flags.only === undefined ? {} : { onlyDevices: flags.only }),
      ...(flags.retryForSeconds === undefined ? {} : { retryForSeconds: flags.retryForSeconds }),
      ...(flags.plainHttp ? { plainHttp: true } : {}),
      ...(flags.cache === undefined ? {} : { cache: flags.cache }),
    });
    const { layout, location } = plan;
    traceStartup('cli', 'planned');
    const disks = plan.targets.map((target) => target.disk);
    const [disk] = disks;
    if (disk === undefined) throw new CosiflashError('E_INTERNAL', 'The flash plan has no target.');
    logContext.layout = layout;
    logContext.disk = disk;
    logContext.disks = disks;
    await warnAboutRecentImage(location, layout.imageHash);
    say(formatFlashPlan(layout, disks, { verify: flags.verify, unmount: flags.unmount }));
    if (flags.dryRun) {
      say('\nDry run: nothing was written.');
      return EXIT_CODES.ok;
    }
    if (!flags.yes && !(await confirm(disks.map((d) => d.device), flags.json, flags.count !== undefined && disks.length > 1 ? flags.count : undefined))) {
      say('Not confirmed: nothing was written.');
      await tryAppendFlashLog(flashLogEntriesBeforeWriting({ location, startedAt, error: { code: 'E_CANCELLED' }, context: logContext }), logOptions);
      return EXIT_CODES.cancelled;
    }
    const request = flashRequestForAll(plan);
    let job: WriterJob;
    if (prepared !== null && !needsElevation(request)) {
      job = prepared.start(request);
    } else {
      prepared?.dispose();
      job = spawnWriter(request, options.writer);
    }
    prepared = null;
    writing = true;
    traceStartup('cli', 'job sent');
    return await followJob(job, flags, say, async (report) => {
      await tryAppendFlashLog(flashLogEntries(report, logContext), logOptions);
    });
  } catch (error) {
    // Refused while planning (bad image, hash mismatch, no eligible disk): logged as refused.
    if (!writing && !flags.dryRun && error instanceof CosiflashError && error.code !== 'E_INPUT') {
      await tryAppendFlashLog(flashLogEntriesBeforeWriting({ location: flags.location, startedAt, error, context: logContext }), logOptions);
    }
    throw error;
  } finally {
    prepared?.dispose();
  }
}

/** Shows the job's progress until it ends; Ctrl-C cancels it. Returns the exit code. */
async function followJob(job: WriterJob, flags: FlashArgs, say: (text: string) => void, onReport: (report: FlashReport) => Promise<void>): Promise<number> {
  const view = createFlashProgressView({ mode: flags.json ? 'json' : process.stdout.isTTY ? 'tty' : 'plain', out: process.stdout, verify: flags.verify });
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts += 1;
    if (interrupts === 1) process.stderr.write('\nCancelling: stopping the writer and clearing the partition table…\n');
    job.cancel();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let report: FlashReport;
  try {
    let firstWritten = false;
    for await (const event of job.events) {
      if (!firstWritten && event.type === 'progress' && event.regions.some((r) => r.writtenBytes > 0)) {
        firstWritten = true;
        traceStartup('cli', 'first written bytes reported');
      }
      view.onEvent(event);
    }
    report = await job.done;
    if (flags.station !== undefined) report = { ...report, station: flags.station };
  } finally {
    view.finish(null);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  await onReport(report);
  if (flags.json) process.stdout.write(`${JSON.stringify({ type: 'report', report })}\n`);
  if (flags.report !== undefined) await writePrivateFile(flags.report, `${JSON.stringify(report, null, 2)}\n`);
  const several = report.targets !== undefined && report.targets.length > 1;
  if (allTargetsOk(report)) say(flashSummary(report));
  // A failure or a cancel is a failure summary: stderr, with what it left on the disk (several
  // disks: every disk's verdict says it).
  else process.stderr.write(`${flashSummary(report)}\n${several ? '' : `${terminalText(diskStateLine(report))}\n`}`);
  return reportExitCode(report);
}


/** Asks the user to type the device name(s) back (src/cli/confirm-targets.ts); refuses without a terminal. */
async function confirm(devices: readonly string[], json: boolean, count?: number): Promise<boolean> {
  if (!process.stdin.isTTY) {
    process.stderr.write('cosiflash flash: refusing to write without confirmation: stdin is not a terminal. Pass --yes to confirm non-interactively.\n');
    return false;
  }
  return confirmTargets({ input: process.stdin, output: json ? process.stderr : process.stdout, devices, ...(count === undefined ? {} : { count }) });
}

/** What a failed or cancelled flash left on the disk, in one sentence. */
export function diskStateLine(report: FlashReport): string {
  return report.diskTouched
    ? `${report.device.path} has no valid partition table now (both GPT copies were cleared); flash it again before use.`
    : `Nothing was written to ${report.device.path}; it is as it was.`;
}
