/**
 * Station view (`cosiflash serve --image URL --auto-flash`): one large card per lane —
 * state, device and percent, readable from across a room — plus the countdown of each disk
 * about to be flashed, with a button that stops it. No click is needed to flash; one click
 * ("Turn on sound") lets the page play the finish tone, which browsers refuse to an untouched page.
 */
import { useEffect, useState } from 'react';
import { formatBytes } from '../../../src/common/format-units.ts';
import { finishToneAllowed, unlockFinishTone } from '../components/finish-tone.ts';
import { ProgressBar } from '../components/progress-bar.tsx';
import { useAppStore } from '../store/use-app-store.ts';
import { laneStatus } from '../view/lane-status.ts';

function useTicker(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

export function StationView() {
  const now = useTicker(250);
  const station = useAppStore((state) => state.appInfo?.station ?? null);
  const inspectResult = useAppStore((state) => state.inspectResult);
  const inspectError = useAppStore((state) => state.inspectError);
  const stationState = useAppStore((state) => state.stationState);
  const lanes = useAppStore((state) => state.lanes);
  const skip = useAppStore((state) => state.skipCountdown);
  const chooseByHand = useAppStore((state) => state.leaveStationView);
  const [permission, setPermission] = useState(() => (typeof Notification === 'undefined' ? 'unsupported' : Notification.permission));
  if (station === null) return null;
  const os = inspectResult?.layout.os.prettyName ?? null;
  // Re-read on every tick: any click on the page turns the sound on.
  const soundOff = !finishToneAllowed();
  const askNotify = permission === 'default';
  const turnOnCues = (): void => {
    unlockFinishTone();
    if (askNotify) void Notification.requestPermission().then(setPermission);
  };
  const cueLabel = soundOff && askNotify ? 'Turn on sound and notifications' : soundOff ? 'Turn on sound' : 'Notify me when done';

  return (
    <section className="panel station" aria-labelledby="station-title">
      <div className="screen-head">
        <div>
          <h1 id="station-title" tabIndex={-1}>
            Bench station
          </h1>
          <p className="lede">
            {os ?? 'Image'} · <span className="mono small">{station.image.location}</span>
          </p>
        </div>
        <div className="actions">
          {(soundOff || askNotify) && (
            <button type="button" className="button-secondary" onClick={turnOnCues}>
              {cueLabel}
            </button>
          )}
          <button type="button" className="button-secondary" onClick={chooseByHand}>
            Choose a disk by hand
          </button>
        </div>
      </div>

      {soundOff && <p className="station-sound-off small">Sound is off: browsers keep a page silent until it is clicked once.</p>}

      {inspectError !== null && (
        <p className="station-armed station-armed-off" role="alert">
          The pinned image cannot be used: {inspectError.title}. {inspectError.detail}
        </p>
      )}
      <p className={`station-armed ${stationState.armed ? '' : 'station-armed-off'}`} role="status">
        {stationState.armed ? `Auto-flash is on: plug in a disk and it is flashed after a ${station.countdownSeconds}-second countdown. Disks present at start are left alone.` : 'Auto-flash is starting…'}
      </p>

      {stationState.countdowns.map((countdown) => {
        const seconds = Math.max(0, Math.ceil((Date.parse(countdown.startsAt) - now) / 1000));
        return (
          <div key={countdown.device} className="lane lane-countdown" role="group" aria-label={`Countdown for ${countdown.device}`}>
            <div className="lane-state">Flashing in {seconds} s</div>
            <div className="lane-device">
              <span className="mono">{countdown.device}</span> {countdown.model ?? ''} · {formatBytes(countdown.sizeBytes)}
            </div>
            <button type="button" className="button-danger" onClick={() => void skip(countdown.device)}>
              Don’t flash {countdown.device}
            </button>
          </div>
        );
      })}

      {lanes.length === 0 && stationState.countdowns.length === 0 && <p className="station-empty">Waiting for a disk…</p>}

      <div className="lanes">
        {lanes.map((lane) => {
          const status = laneStatus(lane);
          const percent = Math.floor(status.fraction * 100);
          return (
            <div key={lane.jobId} className={`lane lane-${status.tone}`} role="group" aria-label={`Lane ${lane.device}`}>
              <div className="lane-state">{status.label}</div>
              <div className="lane-device mono">{lane.device}</div>
              {!status.finished && <div className="lane-percent">{percent} %</div>}
              {status.finished && lane.report?.error != null && lane.report.outcome === 'failed' && <div className="lane-detail">{lane.report.error.title}</div>}
              <ProgressBar label={`Progress of ${lane.device}`} fraction={status.finished ? (status.tone === 'ok' || status.tone === 'warn' ? 1 : 0) : status.fraction} tone={status.tone === 'warn' ? 'idle' : status.tone} large />
            </div>
          );
        })}
      </div>
      {stationState.ignored.length > 0 && (
        <ul className="station-ignored small">
          {stationState.ignored.map((item) => (
            <li key={item.device}>
              <span className="mono">{item.device}</span> is not flashed automatically: {item.reason}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
