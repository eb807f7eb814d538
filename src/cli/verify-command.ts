/**
 * `cosiflash verify <path|url>`: reads a whole COSI once and checks every region (SHA-384 of
 * the compressed bytes, full zstd decode, exact decoded size). Writes nothing. Exit 0 when
 * every region is sound, EXIT_CODES.corrupt (7) when any region fails, naming it.
 */
import cliProgress from 'cli-progress';
import { terminalText } from '../common/terminal-text.ts';
import { parseExpectedHash } from '../cosi/image-hash.ts';
import { inspectCosi } from '../cosi/inspect-cosi.ts';
import { verifyCosi, type VerifyRegionResult, type VerifyReport } from '../cosi/verify-cosi.ts';
import { CosiflashError } from '../errors.ts';
import { formatBytes, formatDuration, formatRate } from '../common/format-units.ts';
import { EXIT_CODES } from './exit-codes.ts';
import { parseImageArgs } from './inspect-command.ts';
import { PLAIN_HTTP_HELP } from './plain-http-option.ts';
import { RETRY_FOR_HELP } from './retry-for-option.ts';
import { withCliSource } from './with-cli-source.ts';

export const VERIFY_HELP = `Usage: cosiflash verify <path|url> [options]

Reads the whole COSI image once and checks every region: the SHA-384 of its compressed
bytes, that it decompresses, and that it decompresses to exactly the declared size.
Nothing is written anywhere.

Options:
  --hash HASH   Also fail unless the image hash (SHA-384 of metadata.json) is HASH
  --json        Print one JSON object: ok, imageHash, regions (name, verdict, error), byte counts
${RETRY_FOR_HELP}
${PLAIN_HTTP_HELP}
  -h, --help    Show this help

Exit status: 0 every region is sound, 7 a region is corrupt (named on the output),
3 the image cannot be read or is invalid, 2 bad usage.`;

/** Codes that mean "this region's bytes are damaged" rather than "this is not a valid image". */
const CORRUPTION_CODES = new Set(['E_IMAGE_HASH', 'E_IMAGE_SIZE', 'E_DECODE']);

export async function runVerify(args: readonly string[]): Promise<number> {
  const options = parseImageArgs('verify', args);
  if (options.help) {
    process.stdout.write(`${VERIFY_HELP}\n`);
    return EXIT_CODES.ok;
  }
  const expectedHash = options.hash === undefined ? undefined : parseExpectedHash(options.hash);
  return withCliSource(options.location, async (source, signal) => {
    const bar = !options.json && process.stderr.isTTY ? new cliProgress.SingleBar({ stream: process.stderr, format: 'Verifying {bar} {percentage}% | {region} | {done} of {total} | {rate} | {left} left', hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic) : null;
    let report: VerifyReport;
    try {
      const image = await inspectCosi(source, { ...(expectedHash === undefined ? {} : { expectedHash }), signal });
      bar?.start(image.layout.downloadBytes, 0, { region: '', done: '0 B', total: formatBytes(image.layout.downloadBytes), rate: '—', left: '—' });
      report = await verifyCosi(source, image, {
        signal,
        onProgress: (p) => {
          const bytesPerMs = p.elapsedMs > 0 ? p.readBytes / p.elapsedMs : 0;
          // Time left: the bytes still to read at the rate so far (reading is all verify does).
          const left = bytesPerMs > 0 && p.elapsedMs >= 1000 ? formatDuration((p.totalBytes - p.readBytes) / bytesPerMs) : '—';
          bar?.update(p.readBytes, { region: terminalText(p.name), done: formatBytes(p.readBytes), total: formatBytes(p.totalBytes), rate: formatRate(bytesPerMs * 1000), left });
        },
      });
    } catch (error) {
      // The primary GPT is checked while inspecting: its corruption is a verdict, not an invalid image.
      if (!(error instanceof CosiflashError) || !CORRUPTION_CODES.has(error.code)) throw error;
      report = { ok: false, imageHash: '', regions: [primaryGptFailure(error)], readBytes: source.transferredBytes, decodedBytes: 0, elapsedMs: 0 };
    } finally {
      bar?.stop();
    }
    if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(`${verifyText(report)}\n`);
    return report.ok ? EXIT_CODES.ok : EXIT_CODES.corrupt;
  }, { retryForSeconds: options.retryForSeconds, plainHttp: options.plainHttp });
}

function primaryGptFailure(error: CosiflashError): VerifyRegionResult {
  return { number: 0, name: 'primary-gpt', path: '', compressedSize: 0, uncompressedSize: 0, decodedBytes: 0, sha384: '', verdict: error.code as VerifyRegionResult['verdict'], error: error.toAppError() };
}

function verifyText(report: VerifyReport): string {
  const lines = report.imageHash ? [`Image hash ${report.imageHash}`] : [];
  for (const region of report.regions) {
    const label = region.number === 0 ? 'primary GPT' : `partition ${region.number} (${region.name})`;
    if (region.error === null) lines.push(`  OK      ${label}: ${formatBytes(region.compressedSize)} → ${formatBytes(region.decodedBytes)}, SHA-384 matches`);
    else lines.push(`  FAILED  ${label}: ${region.error.code}: ${region.error.detail}`);
  }
  const failed = report.regions.filter((r) => r.error !== null).length;
  lines.push(failed === 0 ? `All ${report.regions.length} regions verified (${formatBytes(report.readBytes)} read).` : `${failed} of ${report.regions.length} ${report.regions.length === 1 ? 'region' : 'regions'} ${failed === 1 ? 'is' : 'are'} corrupt.`);
  return lines.map(terminalText).join('\n');
}
