/**
 * `cosiflash inspect <path|url>`: validates a COSI and shows its layout, reading only the tar
 * headers, metadata.json and the primary-GPT image (a few KiB whatever the image size).
 * Errors propagate to main.ts, which prints code and message and exits with EXIT_CODES.
 */
import { warnAboutRecentImage } from './recent-image-warning.ts';
import { parseExpectedHash } from '../cosi/image-hash.ts';
import { inspectCosi } from '../cosi/inspect-cosi.ts';
import { CosiflashError } from '../errors.ts';
import { EXIT_CODES } from './exit-codes.ts';
import { inspectJson, inspectText } from './inspect-output.ts';
import { parseCommandArgs } from './parse-command-args.ts';
import { PLAIN_HTTP_HELP, PLAIN_HTTP_OPTION } from './plain-http-option.ts';
import { parseRetryForSeconds, RETRY_FOR_HELP, RETRY_FOR_OPTION } from './retry-for-option.ts';
import { withCliSource } from './with-cli-source.ts';

export const INSPECT_HELP = `Usage: cosiflash inspect <path|url|oci://…> [options]

Validates a COSI image and shows what it would write: image hash, OS, disk size and
sector size, and every partition with its filesystem and sizes. Reads only the start of
the image (tar headers, metadata.json, the partition table).

Options:
  --hash HASH   Fail unless the image hash (SHA-384 of metadata.json) is HASH:
                sha384:<96 hex digits>, or the digits alone
  --json        Print one JSON object instead of text (stable fields, documented
                in the README under "inspect --json")
${RETRY_FOR_HELP}
${PLAIN_HTTP_HELP}
  -h, --help    Show this help

Exit status: 0 valid, 3 invalid or unreachable image or hash mismatch, 2 bad usage.`;

/** Parses a command line of the form `<location> [--hash H] [--json]`; E_INPUT on anything else. */
export function parseImageArgs(command: string, args: readonly string[]): { location: string; hash: string | undefined; json: boolean; help: boolean; retryForSeconds: number | undefined; plainHttp: boolean } {
  const { values, positionals } = parseCommandArgs(command, {
    args: [...args],
    options: { hash: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, ...RETRY_FOR_OPTION, ...PLAIN_HTTP_OPTION },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) return { location: '', hash: undefined, json: false, help: true, retryForSeconds: undefined, plainHttp: false };
  if (positionals.length !== 1 || positionals[0] === undefined) {
    throw new CosiflashError('E_INPUT', `${command}: give exactly one image path or URL (got ${positionals.length}); see cosiflash ${command} --help`);
  }
  return { location: positionals[0], hash: values.hash, json: values.json ?? false, help: false, retryForSeconds: parseRetryForSeconds(command, values['retry-for']), plainHttp: values['plain-http'] ?? false };
}

export async function runInspect(args: readonly string[]): Promise<number> {
  const options = parseImageArgs('inspect', args);
  if (options.help) {
    process.stdout.write(`${INSPECT_HELP}\n`);
    return EXIT_CODES.ok;
  }
  // A malformed hash is a usage error reported before anything is opened or downloaded.
  const expectedHash = options.hash === undefined ? undefined : parseExpectedHash(options.hash);
  return withCliSource(options.location, async (source, signal) => {
    const { layout } = await inspectCosi(source, { ...(expectedHash === undefined ? {} : { expectedHash }), signal });
    await warnAboutRecentImage(source.location, layout.imageHash);
    if (options.json) {
      const json = inspectJson(layout, { location: source.location, sizeBytes: source.sizeBytes, transferredBytes: source.transferredBytes, ...(source.oci === undefined ? {} : { oci: source.oci }) });
      process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    } else {
      process.stdout.write(`${inspectText(layout, source.location, source.oci)}\n`);
    }
    return EXIT_CODES.ok;
  }, { retryForSeconds: options.retryForSeconds, plainHttp: options.plainHttp });
}
