/**
 * Step 4 — Confirm: a modal naming the disk (model, size, path) and what will be erased;
 * several chosen disks are each named (model, size, path, serial, mount points) and the
 * consent covers every mounted one.
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
import type { DiskCandidate } from '../../../src/model/disk-info.ts';
import { useAppStore } from '../store/use-app-store.ts';
import { OperatorField } from '../components/operator-field.tsx';

export function ConfirmDialog() {
  const candidates = useAppStore((state) => state.candidates);
  const selectedDevice = useAppStore((state) => state.selectedDevice);
  const moreDevices = useAppStore((state) => state.moreDevices);
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

  const chosen = chosenCandidates({ candidates, selectedDevice, moreDevices });
  const candidate = chosen[0];
  if (candidate === undefined || result === null) return null;
  if (chosen.length > 1) return <MultiConfirm chosen={chosen} dialogRef={dialogRef} cancelRef={cancelRef} busy={busy} setBusy={setBusy} />;
  const { disk } = candidate;
  const mounted = needsUnmountConsent(candidate);
  const mountpoints = allMountpoints(disk);
  const name = diskName(disk);
  const blocked = mounted && !mountConsent;

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
      <h2 id="confirm-title">Erase this disk?</h2>
      <div id="confirm-body">
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
        {mounted && (
          <label className="consent">
            <input type="checkbox" checked={mountConsent} onChange={(event) => setMountConsent(event.target.checked)} />
            <span>
              {mountedSentence(mountpoints, { system: disk.system })} Programs using {mountpoints.length === 1 ? 'it' : 'them'} may lose unsaved data.
            </span>
          </label>
        )}
        <OperatorField />
      </div>
      <ConfirmActions cancelRef={cancelRef} disabled={blocked || busy} onConfirm={() => {
        setBusy(true);
        void startFlash();
      }} onCancel={() => goTo('target')}>
        Erase and flash {disk.device}
      </ConfirmActions>
    </dialog>
  );
}

interface MultiProps {
  readonly chosen: readonly DiskCandidate[];
  readonly dialogRef: React.RefObject<HTMLDialogElement | null>;
  readonly cancelRef: React.RefObject<HTMLButtonElement | null>;
  readonly busy: boolean;
  setBusy(busy: boolean): void;
}

/** Several disks: each named once, one consent for all the mounted ones, one erase button. */
function MultiConfirm({ chosen, dialogRef, cancelRef, busy, setBusy }: MultiProps) {
  const result = useAppStore((state) => state.inspectResult);
  const mountConsent = useAppStore((state) => state.mountConsent);
  const setMountConsent = useAppStore((state) => state.setMountConsent);
  const startFlash = useAppStore((state) => state.startFlash);
  const goTo = useAppStore((state) => state.goTo);
  if (result === null) return null;
  const mountedDisks = chosen.filter(needsUnmountConsent);
  const blocked = mountedDisks.length > 0 && !mountConsent;
  const devices = chosen.map((c) => c.disk.device);
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
      <h2 id="confirm-title">Erase these {chosen.length} disks?</h2>
      <div id="confirm-body">
        <ul className="confirm-disks" aria-label="Disks to erase">
          {chosen.map(({ disk }) => {
            const mountpoints = allMountpoints(disk);
            return (
              <li key={disk.device} className="confirm-disk">
                <span className="confirm-disk-name">{diskName(disk)}</span>
                <span className="confirm-disk-size">{formatBytes(disk.sizeBytes)}</span>
                <span className="mono confirm-disk-path">
                  {disk.device}
                  {disk.serial !== null && ` · S/N ${disk.serial}`}
                  {mountpoints.length > 0 && ` · mounted at ${mountpoints.join(', ')}`}
                </span>
              </li>
            );
          })}
        </ul>
        <p>
          Everything on all {chosen.length} disks (<span className="mono">{devices.join(', ')}</span>) will be erased and replaced by{' '}
          <strong>{result.layout.os.prettyName ?? 'the image'}</strong> ({result.layout.partitions.length} partitions, {formatBytes(result.layout.writeBytes)} written to each, then read back and verified).
        </p>
        {mountedDisks.length > 0 && (
          <label className="consent">
            <input type="checkbox" checked={mountConsent} onChange={(event) => setMountConsent(event.target.checked)} />
            <span>
              Unmount the mounted partitions of {mountedDisks.map((c) => c.disk.device).join(', ')} first. Programs using them may lose unsaved data.
            </span>
          </label>
        )}
        <OperatorField />
      </div>
      <ConfirmActions cancelRef={cancelRef} disabled={blocked || busy} onConfirm={() => {
        setBusy(true);
        void startFlash();
      }} onCancel={() => goTo('target')}>
        Erase and flash {chosen.length} disks
      </ConfirmActions>
    </dialog>
  );
}

/** Cancel and the one destructive button of both Confirm dialogs. */
function ConfirmActions({ cancelRef, disabled, onConfirm, onCancel, children }: { readonly cancelRef: React.RefObject<HTMLButtonElement | null>; readonly disabled: boolean; onConfirm(): void; onCancel(): void; readonly children: React.ReactNode }) {
  return (
    <div className="dialog-actions">
      <button type="button" ref={cancelRef} className="button-secondary" onClick={onCancel}>
        Cancel
      </button>
      <button type="button" className="button-danger" disabled={disabled} onClick={onConfirm}>
        {children}
      </button>
    </div>
  );
}
