/**
 * Step 5 — Flash: a large overall percentage readable from across the room, speed and ETA,
 * and one row per region (partition table first) with an accessible progress bar, its
 * phase, bytes and speed. Cancel asks for confirmation first. A job writing several disks
 * shows the shared download once and one lane per disk (state, percent, its partitions); a
 * disk the job dropped turns failed with its reason while the others go on.
 */
import { useEffect, useState } from 'react';
import { formatBytes, formatDuration, formatRate } from '../../../src/common/format-units.ts';
import type { RegionPhase } from '../../../src/model/flash-progress.ts';
import { ErrorPanel } from '../components/error-panel.tsx';
import { ProgressBar } from '../components/progress-bar.tsx';
import { StatRow } from '../components/stat-row.tsx';
import { useAppStore } from '../store/use-app-store.ts';
import { PHASE_LABELS, flashRows, flashTotals, type FlashRow } from '../view/flash-rows.ts';
import { TARGET_STATE_LABELS, sharedDownloadBytes, targetLanes, type TargetLane } from '../view/target-lanes.ts';
import type { TargetState } from '../../../src/model/flash-progress.ts';

/** A lane's tone is its state's, as a region's phase; a lane that is `written` has finished (ok). */
function laneTone(state: TargetState): 'active' | 'verify' | 'ok' | 'failed' | 'idle' {
  return state === 'written' ? 'ok' : toneFor(state);
}

function toneFor(phase: RegionPhase): 'active' | 'verify' | 'ok' | 'failed' | 'idle' {
  switch (phase) {
    case 'verified':
      return 'ok';
    case 'verifying':
      return 'verify';
    case 'failed':
    case 'cancelled':
      return 'failed';
    case 'waiting':
      return 'idle';
    default:
      return 'active';
  }
}

/** After this long without a progress event the numbers on screen are stale: say so. */
const STALL_AFTER_MS = 3_000;

/** The local clock, re-read every second while mounted. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function FlashScreen() {
  const now = useNow();
  const receivedAt = useAppStore((state) => state.progressReceivedAt);
  const starting = useAppStore((state) => state.flashStarting);
  const jobId = useAppStore((state) => state.jobId);
  const device = useAppStore((state) => state.flashDevice);
  const plan = useAppStore((state) => state.plan);
  const progress = useAppStore((state) => state.progress);
  const rates = useAppStore((state) => state.regionRates);
  const lastRetry = useAppStore((state) => state.lastRetry);
  const flashError = useAppStore((state) => state.flashError);
  const cancelConfirmOpen = useAppStore((state) => state.cancelConfirmOpen);
  const cancelRequested = useAppStore((state) => state.cancelRequested);
  const requestCancel = useAppStore((state) => state.requestCancel);
  const dismissCancel = useAppStore((state) => state.dismissCancel);
  const confirmCancel = useAppStore((state) => state.confirmCancel);
  const goTo = useAppStore((state) => state.goTo);
  const resetFlash = useAppStore((state) => state.resetFlash);
  const failedTargets = useAppStore((state) => state.failedTargets);

  if (jobId === null && flashError !== null) {
    return (
      <section className="panel flash" aria-labelledby="flash-title">
        <h1 id="flash-title" tabIndex={-1}>
          The flash did not start
        </h1>
        <p className="lede">Nothing was written to {device ?? 'the disk'}.</p>
        <ErrorPanel error={flashError} />
        <div className="actions">
          <button
            type="button"
            className="button-primary"
            onClick={() => {
              resetFlash();
              goTo('target');
            }}
          >
            Back to disks
          </button>
        </div>
      </section>
    );
  }

  const rows = flashRows(plan, progress);
  const lanes = targetLanes(plan, progress, failedTargets);
  const multi = lanes.length > 1;
  const totals = flashTotals(plan, progress);
  const percent = Math.floor(totals.fraction * 100);
  const verifying = rows.some((row) => row.region.phase === 'verifying');
  const silentMs = receivedAt === null ? 0 : Math.max(0, now - receivedAt);
  const stalled = plan !== null && silentMs >= STALL_AFTER_MS;

  return (
    <section className="panel flash" aria-labelledby="flash-title">
      <div className="screen-head">
        <div>
          <h1 id="flash-title" tabIndex={-1}>
            {starting || plan === null ? 'Starting…' : cancelRequested ? 'Cancelling…' : verifying ? 'Verifying' : 'Flashing'}{' '}
            {multi ? `${lanes.length} disks` : <span className="mono">{device}</span>}
          </h1>
          <p className="lede">
            <span className="phase-line">{totals.phaseText}</span> · {multi ? 'Keep every disk connected until its partitions are verified.' : 'Keep the disk connected until every partition is verified.'}
          </p>
        </div>
        <div className="actions">
          <button type="button" className="button-secondary" onClick={requestCancel} disabled={jobId === null || cancelRequested}>
            Cancel
          </button>
        </div>
      </div>

      {cancelConfirmOpen && (
        <div className="inline-confirm" role="alertdialog" aria-labelledby="cancel-title" aria-describedby="cancel-body">
          <p id="cancel-title" className="notice-title">
            Stop flashing {multi ? `all ${lanes.length} disks` : device}?
          </p>
          <p id="cancel-body">{multi ? 'Every unfinished disk' : 'The disk'} will be left without a valid partition table and must be flashed again before use.</p>
          <div className="actions">
            <button type="button" className="button-secondary" autoFocus onClick={dismissCancel}>
              Keep flashing
            </button>
            <button type="button" className="button-danger" onClick={() => void confirmCancel()}>
              Stop flashing
            </button>
          </div>
        </div>
      )}

      <div className="overall">
        <div className="overall-percent" aria-hidden="true">
          {percent}
          <span className="overall-unit">%</span>
        </div>
        <div className="overall-stats">
          <ProgressBar label="Overall" fraction={totals.fraction} large tone={cancelRequested ? 'failed' : 'active'} />
          <StatRow
            stats={[
              ['Speed', stalled ? '—' : formatRate(totals.bytesPerSecond)],
              ['Time left', stalled ? '—' : formatDuration(totals.etaMs)],
              ['Elapsed', formatDuration(progress === null ? null : totals.elapsedMs + silentMs)],
              ['Written', `${formatBytes(totals.writtenBytes)} / ${formatBytes(totals.totalBytes)}`],
              ['Verified', formatBytes(totals.verifiedBytes)],
              ...(multi ? [['Downloaded once for all disks', formatBytes(sharedDownloadBytes(progress))] as [string, string]] : []),
            ]}
          />
          {stalled && (
            <p className="stall" role="status">
              No progress for {formatDuration(silentMs)} — waiting for data from the image source or the disk.
            </p>
          )}
          {lastRetry?.unreachable === true && (
            <p className="stall" role="status">
              Server unreachable, retrying ({lastRetry.unreachableSeconds ?? 0} s of {lastRetry.retryForSeconds ?? 120} s) — the flash resumes where it stopped when the server is back.
            </p>
          )}
          {lastRetry !== null && lastRetry.unreachable !== true && (
            <p className="muted small" role="status">
              Retried the download {lastRetry.attempt} time{lastRetry.attempt === 1 ? '' : 's'} ({lastRetry.reason}).
            </p>
          )}
        </div>
      </div>

      {multi ? (
        <ol className="target-lane-list" aria-label="Disks">
          {lanes.map((lane) => (
            <LaneView key={lane.device} lane={lane} />
          ))}
        </ol>
      ) : (
        <RegionList rows={rows} rates={rates} stalled={stalled} />
      )}

    </section>
  );
}

function RegionList({ rows, rates, stalled, label = 'Partitions' }: { readonly rows: readonly FlashRow[]; readonly rates: Readonly<Record<number, number>>; readonly stalled: boolean; readonly label?: string }) {
  return (
  <ol className="region-list" aria-label={label}>
      {rows.map((row) => {
        const name = row.region.name === '' ? (row.region.number === 0 ? 'Partition table' : `Partition ${row.region.number}`) : row.region.name;
        const rate = rates[row.region.number] ?? 0;
        const active = row.region.phase === 'downloading' || row.region.phase === 'writing' || row.region.phase === 'verifying';
        return (
          <li key={row.region.number} className={`region region-${row.region.phase}`}>
            <span className="region-name">
              {row.region.number === 0 ? '' : `#${row.region.number} `}
              <strong className={row.region.number === 0 ? 'capitalize' : undefined}>{name}</strong>
            </span>
            <span className={`phase phase-${row.region.phase}`}>{PHASE_LABELS[row.region.phase]}</span>
            <ProgressBar label={name} fraction={row.fraction} tone={toneFor(row.region.phase)} />
            <span className="region-bytes">
              {formatBytes(row.doneBytes)} / {formatBytes(row.region.uncompressedBytes)}
            </span>
            <span className="region-rate">{active && !stalled ? formatRate(rate) : ''}</span>
          </li>
        );
      })}
  </ol>
  );
}

/** One disk of a multi-target job: its device, state, percent, reason when failed, partitions. */
function LaneView({ lane }: { readonly lane: TargetLane }) {
  const percent = Math.floor(lane.fraction * 100);
  return (
    <li className={`target-lane target-lane-${lane.state}`}>
      <div className="target-lane-head">
        <strong className="mono">{lane.device}</strong>
        <span className={`phase phase-${lane.state}`}>{TARGET_STATE_LABELS[lane.state]}</span>
        <span className="target-lane-percent">{lane.state === 'failed' ? '' : `${percent} %`}</span>
      </div>
      <ProgressBar label={`${lane.device} overall`} fraction={lane.state === 'failed' ? 1 : lane.fraction} tone={laneTone(lane.state)} />
      {lane.error !== null && (
        <p className="target-lane-error" role="status">
          {lane.error.title}
          {lane.error.detail === '' ? '' : ` — ${lane.error.detail}`} The other disks go on.
        </p>
      )}
      <RegionList rows={lane.rows} rates={{}} stalled label={`Partitions of ${lane.device}`} />
    </li>
  );
}
