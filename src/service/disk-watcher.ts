/**
 * Hotplug without platform hooks: re-enumerates the disks every ~2 s and reports when the
 * set (or anything the UI shows about a disk: size, mounts, read-only) changed.
 *
 * Polling keeps this portable (drivelist has no change events) and cheap (one lsblk call).
 * Polls never overlap; enumeration errors are skipped and retried on the next tick.
 */
import type { DiskInfo } from '../model/disk-info.ts';

export interface DiskWatcherOptions {
  readonly list: () => Promise<DiskInfo[]>;
  readonly onChange: (disks: readonly DiskInfo[]) => void;
  readonly intervalMs?: number;
}

export class DiskWatcher {
  readonly #options: DiskWatcherOptions;
  #timer: NodeJS.Timeout | null = null;
  #signature: string | null = null;
  #polling = false;

  constructor(options: DiskWatcherOptions) {
    this.#options = options;
  }

  /** Starts polling; resolves once the first enumeration (the baseline) is taken. */
  start(): Promise<void> {
    if (this.#timer !== null) return Promise.resolve();
    this.#timer = setInterval(() => void this.poll(), this.#options.intervalMs ?? 2000);
    this.#timer.unref();
    return this.poll();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** One enumeration; calls onChange when the result differs from the previous one. */
  async poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const disks = await this.#options.list();
      const signature = diskSetSignature(disks);
      const changed = this.#signature !== null && signature !== this.#signature;
      this.#signature = signature;
      if (changed) this.#options.onChange(disks);
    } catch {
      // Transient enumeration failures (a disk vanishing mid-lsblk) are retried next tick.
    } finally {
      this.#polling = false;
    }
  }
}

/** Order-independent fingerprint of what the UI shows about the disks. */
export function diskSetSignature(disks: readonly DiskInfo[]): string {
  return JSON.stringify(
    [...disks]
      .sort((a, b) => a.device.localeCompare(b.device))
      .map((disk) => [disk.device, disk.sizeBytes, disk.readOnly, disk.system, [...disk.mountpoints].sort(), disk.partitions.length, disk.model, disk.serial, disk.diskseq]),
  );
}
