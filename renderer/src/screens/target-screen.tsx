/**
 * Step 3 — Target: every disk main reports, the best fit pre-selected and marked, refused
 * disks greyed with their reasons, a "Show virtual disks" toggle; refreshed on hotplug.
 * The disks form one radio group (arrow keys move the choice); "Flash several disks" turns
 * them into checkboxes so one job writes every ticked disk (the first ticked goes first).
 */
import { useEffect } from 'react';
import { formatBytes } from '../../../src/common/format-units.ts';
import { ErrorPanel } from '../components/error-panel.tsx';
import { isChoosable } from '../../../src/common/disk-choosable.ts';
import { sortCandidates } from '../store/disk-choice.ts';
import { chosenCandidates } from '../store/target-slice.ts';
import { useAppStore } from '../store/use-app-store.ts';
import { diskName } from '../../../src/common/disk-name.ts';
import { describeReason } from '../view/reason-labels.ts';
import { diskListStatus } from '../view/disk-list-status.ts';

export function TargetScreen() {
  const result = useAppStore((state) => state.inspectResult);
  const candidates = useAppStore((state) => state.candidates);
  const loading = useAppStore((state) => state.disksLoading);
  const disksError = useAppStore((state) => state.disksError);
  const showVirtual = useAppStore((state) => state.showVirtual);
  const hiddenVirtual = useAppStore((state) => state.hiddenVirtualCount);
  const selectedDevice = useAppStore((state) => state.selectedDevice);
  const refreshDisks = useAppStore((state) => state.refreshDisks);
  const setShowVirtual = useAppStore((state) => state.setShowVirtual);
  const selectDisk = useAppStore((state) => state.selectDisk);
  const multiSelect = useAppStore((state) => state.multiSelect);
  const moreDevices = useAppStore((state) => state.moreDevices);
  const setMultiSelect = useAppStore((state) => state.setMultiSelect);
  const toggleDisk = useAppStore((state) => state.toggleDisk);
  const proceed = useAppStore((state) => state.proceedToConfirm);
  const goTo = useAppStore((state) => state.goTo);
  const virtualDisks = useAppStore((state) => state.appInfo?.capabilities.virtualDisks === true);

  useEffect(() => {
    void refreshDisks();
  }, [refreshDisks]);

  const sorted = sortCandidates(candidates);
  const chosen = chosenCandidates({ candidates, selectedDevice, moreDevices });
  const ready = chosen.length > 0 && chosen.every(isChoosable);

  return (
    <section className="panel target" aria-labelledby="target-title">
      <div className="screen-head">
        <div>
          <h1 id="target-title" tabIndex={-1}>
            Choose the disk to erase
          </h1>
          {result !== null && (
            <p className="lede">
              {result.layout.os.prettyName ?? 'The image'} needs {formatBytes(result.layout.disk.sizeBytes)} on a disk with {result.layout.disk.lbaSize}-byte sectors.
            </p>
          )}
        </div>
        <div className="actions">
          <button type="button" className="button-secondary" onClick={() => goTo('review')}>
            Back
          </button>
          <button type="button" className="button-primary" disabled={!ready} onClick={proceed}>
            {multiSelect && chosen.length > 1 ? `Continue with ${chosen.length} disks` : 'Continue'}
          </button>
        </div>
      </div>

      <div className="toolbar">
        {virtualDisks && (
          <label className="switch">
            <input type="checkbox" role="switch" checked={showVirtual} onChange={(event) => void setShowVirtual(event.target.checked)} />
            <span>Show virtual disks</span>
          </label>
        )}
        <label className="switch">
          <input type="checkbox" role="switch" checked={multiSelect} onChange={(event) => setMultiSelect(event.target.checked)} />
          <span>Flash several disks</span>
        </label>
        <button type="button" className="button-small" onClick={() => void refreshDisks()} disabled={loading}>
          {loading ? 'Refreshing…' : 'Refresh'}
        </button>
        <span className="muted small" role="status">
          {diskListStatus({ loading, total: candidates.length, eligible: candidates.filter((c) => c.eligible).length, hiddenVirtual })}
        </span>
      </div>

      {disksError !== null && <ErrorPanel error={disksError} />}

      {multiSelect && (
        <p className="muted small" role="status">
          {chosen.length === 0 ? 'Tick every disk to flash.' : `${chosen.length} disk${chosen.length === 1 ? '' : 's'} ticked — each gets the same image, written once from one download.`}
        </p>
      )}

      <div className="disk-list" role={multiSelect ? 'group' : 'radiogroup'} aria-label={multiSelect ? 'Disks to flash' : 'Disks'}>
        {sorted.map((candidate) => {
          const { disk } = candidate;
          const choosable = isChoosable(candidate);
          const checked = disk.device === selectedDevice || (multiSelect && moreDevices.includes(disk.device));
          return (
            <label key={disk.device} className={`disk ${checked ? 'disk-selected' : ''} ${choosable ? '' : 'disk-refused'}`}>
              {multiSelect ? (
                <input type="checkbox" name="target-disks" value={disk.device} checked={checked} disabled={!choosable} onChange={() => toggleDisk(disk.device)} />
              ) : (
                <input type="radio" name="target-disk" value={disk.device} checked={checked} disabled={!choosable} onChange={() => selectDisk(disk.device)} />
              )}
              <span className="disk-main">
                <span className="disk-title">
                  {diskName(disk)}
                  {candidate.selected && candidate.eligible && <span className="badge badge-ok">Best fit</span>}
                  {disk.removable && <span className="badge">Removable</span>}
                </span>
                <span className="disk-meta">
                  <span className="mono">{disk.device}</span>
                  <span>{disk.bus ?? 'Unknown bus'}</span>
                  <span>{disk.logicalSectorBytes}-byte sectors</span>
                  {disk.serial !== null && <span className="mono small">S/N {disk.serial}</span>}
                </span>
                {candidate.reasons.length > 0 && (
                  <ul className="disk-reasons">
                    {candidate.reasons.map((reason) => (
                      <li key={reason.code}>{describeReason(reason)}</li>
                    ))}
                  </ul>
                )}
              </span>
              <span className="disk-size">{formatBytes(disk.sizeBytes)}</span>
            </label>
          );
        })}
      </div>
    </section>
  );
}
