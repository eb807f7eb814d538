/**
 * Step 6 — Done: a clear pass/fail for the device, per-region verdicts backed by their
 * SHA-384, total time and throughput; save the report; flash the next disk in one click.
 * A job that wrote several disks gets an overall banner ("2 of 3 disks verified") and one
 * verdict per disk, a failed one with its reason and "Try another disk".
 */
import { formatBytes, formatDuration, formatRate } from '../../../src/common/format-units.ts';
import type { FlashReport, RegionVerdict } from '../../../src/model/flash-progress.ts';
import { CopyButton } from '../components/copy-button.tsx';
import { ErrorPanel } from '../components/error-panel.tsx';
import { StatRow } from '../components/stat-row.tsx';
import { useAppStore } from '../store/use-app-store.ts';
import { failureActions } from '../view/failure-actions.ts';
import { PHASE_LABELS } from '../view/flash-rows.ts';
import { multiVerdict, type TargetVerdict } from '../view/target-verdicts.ts';

const OUTCOME_TEXT = {
  verified: { title: 'Verified', tone: 'ok', text: 'Every partition was written and read back with matching SHA-384 hashes.' },
  written: { title: 'Written, not verified', tone: 'warn', text: 'The image was written, but it was not read back.' },
  failed: { title: 'Failed', tone: 'failed', text: 'The disk was left without a valid partition table. Do not use it until it is flashed again.' },
  cancelled: { title: 'Cancelled', tone: 'warn', text: 'The flash was stopped. The disk was left without a valid partition table; flash it again before use.' },
} as const;

/** A region interrupted by the user's cancel reads "Stopped", whatever error the abort surfaced as. */
function wasStopped(region: RegionVerdict, outcome: FlashReport['outcome']): boolean {
  return region.phase === 'cancelled' || region.error?.code === 'E_CANCELLED' || (outcome === 'cancelled' && region.phase === 'failed');
}

function verdictText(region: RegionVerdict, outcome: FlashReport['outcome']): string {
  if (region.phase === 'verified') return 'Verified';
  if (wasStopped(region, outcome)) return 'Stopped';
  if (region.phase === 'waiting') return 'Not written';
  if (region.compressedSha384Ok === false) return 'Hash mismatch';
  if (region.readBackOk === false) return 'Read-back mismatch';
  return PHASE_LABELS[region.phase];
}

/** A shell word: left bare when it is plain, else single-quoted. */
function quoteArg(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

function shortHash(hex: string | null): string {
  return hex === null || hex === '' ? '—' : `${hex.slice(0, 16)}…${hex.slice(-8)}`;
}

export function DoneScreen() {
  const report = useAppStore((state) => state.report);
  const flashError = useAppStore((state) => state.flashError);
  const savedPath = useAppStore((state) => state.savedReportPath);
  const webMode = useAppStore((state) => state.appInfo?.mode === 'web');
  const saveError = useAppStore((state) => state.saveError);
  const saveReport = useAppStore((state) => state.saveReport);
  const flashAnother = useAppStore((state) => state.flashAnother);
  const startOver = useAppStore((state) => state.startOver);
  const runFailureAction = useAppStore((state) => state.runFailureAction);
  const verifyCommandShown = useAppStore((state) => state.verifyCommandShown);
  if (report === null) return null;
  const multi = multiVerdict(report);
  const outcome = multi === null ? OUTCOME_TEXT[report.outcome] : { title: multi.headline, tone: multi.tone, text: multi.tone === 'ok' ? 'Every disk was written and read back with matching SHA-384 hashes.' : 'Each disk’s verdict is below; the verified ones are ready to use.' };
  // A failure offers the actions that fit whose fault it was (never "Flash another disk" for a bad image).
  const guidance = report.outcome === 'failed' && flashError !== null ? failureActions(flashError.code, { afterReview: true }) : null;
  const verifyCommand = `cosiflash verify ${quoteArg(report.source)} --hash ${report.imageHash}`;

  return (
    <section className="panel done" aria-labelledby="done-title">
      <div className={`verdict verdict-${outcome.tone}`}>
        <span className="verdict-icon" aria-hidden="true">
          {outcome.tone === 'ok' ? '✓' : outcome.tone === 'warn' ? '!' : '✕'}
        </span>
        <div>
          <h1 id="done-title" tabIndex={-1}>
            {outcome.title}
          </h1>
          {multi === null ? (
            <p>
              <span className="mono">{report.device.path}</span>
              {report.device.model !== null ? ` · ${report.device.model}` : ''} · {formatBytes(report.device.sizeBytes)}
            </p>
          ) : (
            <p className="mono">{multi.disks.map((d) => d.target.device.path).join(', ')}</p>
          )}
          <p className="verdict-text">{outcome.text}</p>
        </div>
      </div>

      {flashError !== null && report.outcome !== 'cancelled' && multi === null && <ErrorPanel error={flashError} />}
      {guidance !== null && (
        <p className={`fault fault-${guidance.fault}`}>
          <strong>Cause: </strong>
          {guidance.faultText}
        </p>
      )}

      <StatRow
        boxed
        stats={[
          ['Total time', formatDuration(report.elapsedMs)],
          ['Throughput', formatRate(report.bytesPerSecond)],
          ['Written', formatBytes(multi === null ? report.writtenBytes : multi.disks.reduce((sum, d) => sum + d.target.writtenBytes, 0))],
          ['Downloaded', formatBytes(report.downloadedBytes)],
          ['Retries', report.retries],
        ]}
      />

      {multi === null ? (
        <VerdictTable regions={report.regions} outcome={report.outcome} caption="Per-partition verdicts" />
      ) : (
        <ol className="target-verdicts" aria-label="Disks">
          {multi.disks.map((verdict) => (
            <TargetVerdictCard key={verdict.target.device.path} verdict={verdict} onTryAnother={() => void flashAnother()} />
          ))}
        </ol>
      )}
      <p className="muted small">
        Image <span className="mono">{report.imageHash}</span>
      </p>

      {guidance !== null && verifyCommandShown && (
        <div className="verify-command">
          <p>Check the whole image on this computer, without writing anything:</p>
          <div className="hash-row">
            <code className="hash" aria-label="Verify command">
              {verifyCommand}
            </code>
            <CopyButton text={verifyCommand} label="Copy verify command" />
          </div>
        </div>
      )}

      <div className="actions actions-end">
        <button type="button" className="button-secondary" onClick={() => void saveReport()}>
          Save report
        </button>
        {guidance === null ? (
          <>
            <button type="button" className="button-secondary" onClick={startOver}>
              Use another image
            </button>
            <button type="button" className="button-primary" onClick={() => void flashAnother()}>
              Flash another disk
            </button>
          </>
        ) : (
          guidance.actions
            .map((action, index) => (
              <button key={action.id} type="button" className={index === 0 ? 'button-primary' : 'button-secondary'} onClick={() => void runFailureAction(action.id)}>
                {action.label}
              </button>
            ))
            .reverse()
        )}
      </div>
      {savedPath !== null && (
        <p className="status" role="status">
          {webMode ? 'Report downloaded as ' : 'Report saved to '}
          <span className="mono">{savedPath}</span>
        </p>
      )}
      {saveError !== null && <ErrorPanel error={saveError} />}
    </section>
  );
}

function VerdictTable({ regions, outcome, caption }: { readonly regions: readonly RegionVerdict[]; readonly outcome: FlashReport['outcome']; readonly caption: string }) {
  return (
  <div className="table-wrap">
    <table className="data-table verdict-table">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Name</th>
          <th scope="col">Result</th>
          <th scope="col" className="num">
            Written
          </th>
          <th scope="col">SHA-384 (image)</th>
          <th scope="col">SHA-384 (written)</th>
        </tr>
      </thead>
      <tbody>
        {regions.map((region) => (
          <tr key={region.number} className={`verdict-row verdict-row-${region.phase}`}>
            <td className="num">{region.number === 0 ? 'GPT' : region.number}</td>
            <td className={region.number === 0 ? 'capitalize' : undefined}>{region.name}</td>
            <td>
              <span className={`phase phase-${wasStopped(region, outcome) ? 'cancelled' : region.phase}`}>{verdictText(region, outcome)}</span>
              {region.error !== null && !wasStopped(region, outcome) && <span className="small muted"> {region.error.title}</span>}
            </td>
            <td className="num">{formatBytes(region.writtenBytes)}</td>
            <td className="mono small" title={region.compressedSha384}>
              {shortHash(region.compressedSha384)} {region.compressedSha384Ok === true ? '✓' : region.compressedSha384Ok === false ? '✕' : ''}
            </td>
            <td className="mono small" title={region.uncompressedSha384 ?? ''}>
              {region.number === 0 && region.uncompressedSha384 === null && region.writtenBytes > 0 ? <span className="muted">rebuilt for this disk</span> : shortHash(region.uncompressedSha384)} {region.readBackOk === true ? '✓' : region.readBackOk === false ? '✕' : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
  );
}

/** One disk of a multi-target job: its verdict, identity, reason when it failed, its partitions. */
function TargetVerdictCard({ verdict, onTryAnother }: { readonly verdict: TargetVerdict; readonly onTryAnother: () => void }) {
  const { target } = verdict;
  return (
    <li className={`target-verdict target-verdict-${verdict.tone}`}>
      <div className="target-verdict-head">
        <span className={`phase phase-${target.outcome}`}>{verdict.title}</span>
        <strong className="mono">{target.device.path}</strong>
        <span>
          {target.device.model ?? 'Unknown model'} · {formatBytes(target.device.sizeBytes)}
          {target.device.serial !== null && <span className="mono small"> · S/N {target.device.serial}</span>}
        </span>
      </div>
      <p className="verdict-text">{verdict.text}</p>
      {target.error !== null && target.outcome !== 'cancelled' && <ErrorPanel error={target.error} />}
      {target.outcome === 'failed' && (
        <div className="actions">
          <button type="button" className="button-secondary" onClick={onTryAnother}>
            Try another disk
          </button>
        </div>
      )}
      <details>
        <summary>Partitions of {target.device.path}</summary>
        <VerdictTable regions={target.regions} outcome={target.outcome} caption={`Per-partition verdicts of ${target.device.path}`} />
      </details>
    </li>
  );
}
