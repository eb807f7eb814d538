/**
 * Step 4 — Confirm: a modal naming the disk (model, size, path) and what will be erased;
 * with several ticked disks it names each of them, and the button says how many.
 *
 * Safety design: the confirm button itself names the device ("Erase and flash /dev/sdb"),
 * focus starts on Cancel so a stray Enter never erases, Escape backs out, and a disk with
 * mounted partitions needs a separate consent box before the button enables. We chose not to
 * make technicians type the device name: they flash device after device, and the disk list
 * already refuses system, mounted-without-consent, read-only and too-small disks (re-checked
 * by main before the writer starts).
 */
import { useEffect, useRef, useState } from 'react';
import { needsUnmountConsent } from '../../../src/common/disk-choosable.ts';
import { diskName } from '../../../src/common/disk-name.ts';
import { formatBytes } from '../../../src/common/format-units.ts';
import { allMountpoints, mountedSentence } from '../../../src/common/mount-points.ts';
import { chosenCandidates } from '../store/target-slice.ts';
import { useAppStore } from '../store/use-app-store.ts';

export function ConfirmDialog() {
  const candidates = useAppStore((state) => state.candidates);
  const selectedDevice = useAppStore((state) => state.selectedDevice);
  const extraDevices = useAppStore((state) => state.extraDevices);
  const chosen = chosenCandidates({ candidates, selectedDevice, extraDevices });
  const candidate = chosen[0] ?? null;
  const result = useAppStore((state) => state.inspectResult);
  const mountConsent = useAppStore((state) => state.mountConsent);
  const setMountConsent = useAppStore((state) => state.setMountConsent);
  const startFlash = useAppStore((state) => state.startFlash);
  const goTo = useAppStore((state) => state.goTo);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog !== null && !dialog.open) dialog.showModal();
    cancelRef.current?.focus();
    return () => dialog?.close();
  }, []);

  if (candidate === null || result === null) return null;
  const { disk } = candidate;
  const several = chosen.length > 1;
  const mountedDisks = chosen.filter(needsUnmountConsent);
  const mounted = mountedDisks.length > 0;
  const mountpoints = mountedDisks.flatMap((c) => allMountpoints(c.disk));
  const name = diskName(disk);
  const blocked = mounted && !mountConsent;
  const what = `${result.layout.os.prettyName ?? 'the image'}`;

  return (
    <dialog
      ref={dialogRef}
      className="dialog"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-body"
      onCancel={(event) => {
        event.preventDefault();
        goTo('target');
      }}
    >
      <h2 id="confirm-title">{several ? `Erase these ${chosen.length} disks?` : 'Erase this disk?'}</h2>
      <div id="confirm-body">
        {several ? (
          <>
            <ul className="confirm-disks" aria-label="Disks to erase">
              {chosen.map((c) => (
                <li key={c.disk.device} className="confirm-disk">
                  <span className="confirm-disk-name">{diskName(c.disk)}</span>
                  <span className="confirm-disk-size">{formatBytes(c.disk.sizeBytes)}</span>
                  <span className="mono confirm-disk-path">{c.disk.device}</span>
                </li>
              ))}
            </ul>
            <p>
              Everything on {chosen.map((c, i) => (
                <span key={c.disk.device}>
                  {i > 0 && (i === chosen.length - 1 ? ' and ' : ', ')}
                  <strong className="mono">{c.disk.device}</strong>
                </span>
              ))}{' '}
              will be erased and replaced by <strong>{what}</strong> ({result.layout.partitions.length} partitions, {formatBytes(result.layout.writeBytes)} written to each disk, then read back and verified). The image is downloaded once and written to all {chosen.length} disks at the same time.
            </p>
          </>
        ) : (
        <>
        <div className="confirm-disk">
          <span className="confirm-disk-name">{name}</span>
          <span className="confirm-disk-size">{formatBytes(disk.sizeBytes)}</span>
          <span className="mono confirm-disk-path">{disk.device}</span>
        </div>
        <p>
          Everything on <strong className="mono">{disk.device}</strong> will be erased
          {disk.partitions.length > 0 ? `, including its ${disk.partitions.length} existing partition${disk.partitions.length === 1 ? '' : 's'}` : ''}, and replaced by{' '}
          <strong>{result.layout.os.prettyName ?? 'the image'}</strong> ({result.layout.partitions.length} partitions, {formatBytes(result.layout.writeBytes)} written, then read back and verified).
        </p>
        </>
        )}
        {mounted && (
          <label className="consent">
            <input type="checkbox" checked={mountConsent} onChange={(event) => setMountConsent(event.target.checked)} />
            <span>
              {several ? `${mountedDisks.map((c) => c.disk.device).join(', ')}: ` : ''}
              {mountedSentence(mountpoints, { system: mountedDisks.some((c) => c.disk.system) })} Programs using {mountpoints.length === 1 ? 'it' : 'them'} may lose unsaved data.
            </span>
          </label>
        )}
      </div>
      <div className="dialog-actions">
        <button type="button" ref={cancelRef} className="button-secondary" onClick={() => goTo('target')}>
          Cancel
        </button>
        <button
          type="button"
          className="button-danger"
          disabled={blocked || busy}
          onClick={() => {
            setBusy(true);
            void startFlash();
          }}
        >
          {several ? `Erase and flash ${chosen.length} disks` : `Erase and flash ${disk.device}`}
        </button>
      </div>
    </dialog>
  );
}
