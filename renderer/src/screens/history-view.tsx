/**
 * History: every flash this machine logged (the flash log), newest first, with a filter by
 * text, result and date, and a CSV export for the bench's records.
 */
import type { FlashLogEntry, FlashLogResult } from '../../../src/model/flash-log-entry.ts';
import { formatBytes, formatRate } from '../../../src/common/format-units.ts';
import { ErrorPanel } from '../components/error-panel.tsx';
import { useAppStore } from '../store/use-app-store.ts';

const RESULT_LABELS: Readonly<Record<FlashLogResult, string>> = {
  verified: 'Verified',
  written: 'Written',
  failed: 'Failed',
  cancelled: 'Cancelled',
  refused: 'Refused',
};

const RESULT_TONE: Readonly<Record<FlashLogResult, string>> = {
  verified: 'verified',
  written: 'written',
  failed: 'failed',
  cancelled: 'cancelled',
  refused: 'cancelled',
};

function when(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

function durationSeconds(entry: FlashLogEntry): number {
  return Math.max(0, (Date.parse(entry.finishedAt) - Date.parse(entry.startedAt)) / 1000);
}

/** "Azure Linux 3.0": the pretty name, plus the version when the name does not carry it. */
function osLabel(entry: FlashLogEntry): string {
  const { os, osVersion } = entry.image;
  if (os === null) return osVersion ?? '';
  return osVersion !== null && !os.includes(osVersion) ? `${os} ${osVersion}` : os;
}

export function HistoryView() {
  const entries = useAppStore((state) => state.historyEntries);
  const total = useAppStore((state) => state.historyTotal);
  const file = useAppStore((state) => state.historyFile);
  const query = useAppStore((state) => state.historyQuery);
  const error = useAppStore((state) => state.historyError);
  const setQuery = useAppStore((state) => state.setHistoryQuery);
  const exportCsv = useAppStore((state) => state.exportHistoryCsv);
  const close = useAppStore((state) => state.closeHistory);

  return (
    <section className="panel history" aria-labelledby="history-title">
      <div className="panel-head">
        <h1 id="history-title" tabIndex={-1}>
          History
        </h1>
        <p className="muted">
          Every flash on this machine, passed or not{file !== null ? ' — ' : ''}
          {file !== null && <span className="mono small">{file}</span>}
        </p>
      </div>

      <div className="history-filter" role="search">
        <label>
          <span>Filter</span>
          <input type="search" value={query.text} placeholder="Device, serial, image, station, operator…" onChange={(event) => void setQuery({ text: event.target.value })} />
        </label>
        <label>
          <span>Result</span>
          <select value={query.result ?? ''} onChange={(event) => void setQuery({ result: event.target.value === '' ? null : (event.target.value as FlashLogResult) })}>
            <option value="">All results</option>
            {Object.entries(RESULT_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Since</span>
          <input type="date" value={query.since?.slice(0, 10) ?? ''} onChange={(event) => void setQuery({ since: event.target.value === '' ? null : new Date(`${event.target.value}T00:00:00`).toISOString() })} />
        </label>
      </div>

      {error !== null && <ErrorPanel error={error} />}

      <p className="status" role="status" aria-live="polite">
        {total === 0 ? 'No flashes logged yet.' : `Showing ${entries.length} of ${total} flashes.`}
      </p>

      {entries.length > 0 && (
        <div className="table-wrap">
          <table className="data-table history-table">
            <caption className="visually-hidden">Logged flashes, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Result</th>
                <th scope="col">Device</th>
                <th scope="col">Image</th>
                <th scope="col" className="num">
                  Written
                </th>
                <th scope="col" className="num">
                  Throughput
                </th>
                <th scope="col">Station</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={`${entry.startedAt}-${entry.device.path}-${entry.finishedAt}`}>
                  <td>
                    {when(entry.startedAt)}
                    <span className="small muted"> · {Math.round(durationSeconds(entry))} s</span>
                  </td>
                  <td>
                    <span className={`phase phase-${RESULT_TONE[entry.result] ?? 'failed'}`}>{RESULT_LABELS[entry.result] ?? entry.result}</span>
                    {entry.errorCode !== null && entry.result !== 'cancelled' && <span className="small muted mono"> {entry.errorCode}</span>}
                  </td>
                  <td>
                    <span className="mono">{entry.device.path || '—'}</span>
                    <span className="small muted">
                      {' '}
                      {[entry.device.model, entry.device.serial, entry.device.sizeBytes > 0 ? formatBytes(entry.device.sizeBytes) : null].filter(Boolean).join(' · ')}
                    </span>
                  </td>
                  <td>
                    {osLabel(entry) || <span className="mono small">{entry.image.location}</span>}
                  </td>
                  <td className="num">{formatBytes(entry.bytesWritten)}</td>
                  <td className="num">{entry.throughputBytesPerSecond > 0 ? formatRate(entry.throughputBytesPerSecond) : '—'}</td>
                  <td>
                    {entry.station}
                    {entry.operator !== null && <span className="small muted"> · {entry.operator}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <div className="actions actions-end">
        <button type="button" className="button-secondary" disabled={entries.length === 0} onClick={() => void exportCsv()}>
          Export CSV
        </button>
        <button type="button" className="button-primary" onClick={close}>
          Close history
        </button>
      </div>
    </section>
  );
}
