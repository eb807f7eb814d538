/**
 * Auto-flash for a bench station (`cosiflash serve --image URL --auto-flash`): every disk
 * that **appears after arming** and qualifies is flashed with the pinned image after a
 * visible, cancellable countdown, without a click. Disks present when armed are never
 * auto-flashed; a disk flashed (or skipped) once is not flashed again until it is unplugged
 * and plugged back in. A disk qualifies when it passes every eligibility rule for the image
 * and is removable or explicitly offered with `--only`.
 *
 * Plain logic over injected operations (disk evaluation, starting a flash, a clock), so the
 * rules are testable without disks; the handler table wires it to the disk watcher.
 */
import type { StationCountdown, StationState } from '../ipc/contract.ts';
import type { DiskCandidate, DiskInfo } from '../model/disk-info.ts';

export interface AutoFlashStationOptions {
  readonly countdownMs: number;
  /** Devices offered with `--only`: they qualify even when not removable. */
  readonly onlyDevices: readonly string[];
  /** The disks judged against the pinned image (every eligibility rule). */
  readonly evaluate: (disks: readonly DiskInfo[]) => Promise<readonly DiskCandidate[]>;
  /**
   * Starts the flash of `disk` (the same path as a click on "Erase and flash"). `disk` is the
   * disk as enumerated when its countdown began: if another disk took its path since, the
   * flash is refused (E_DISK_CHANGED).
   */
  readonly startFlash: (disk: DiskInfo) => Promise<unknown>;
  /** A job writes to the device already. */
  readonly isBusy: (device: string) => boolean;
  readonly onChange: (state: StationState) => void;
  /** A flash that could not start (logged by the caller). */
  readonly onStartError?: (device: string, error: unknown) => void;
}

interface Countdown {
  readonly info: StationCountdown;
  readonly timer: NodeJS.Timeout;
}

export class AutoFlashStation {
  readonly #options: AutoFlashStationOptions;
  /** Devices present now that must not be auto-flashed (present when armed, done, skipped). */
  readonly #settled = new Set<string>();
  readonly #countdowns = new Map<string, Countdown>();
  #ignored: { device: string; reason: string }[] = [];
  #armed = false;
  #queue: Promise<void> = Promise.resolve();

  constructor(options: AutoFlashStationOptions) {
    this.#options = options;
  }

  /** Arms the station: the disks present now are the baseline and are never auto-flashed. */
  arm(present: readonly DiskInfo[]): void {
    for (const disk of present) this.#settled.add(disk.device);
    this.#armed = true;
    this.#changed();
  }

  /** Feed every fresh enumeration (hotplug). Serialised: one evaluation at a time. */
  onDisks(disks: readonly DiskInfo[]): Promise<void> {
    this.#queue = this.#queue.then(() => this.#consider(disks)).catch(() => undefined);
    return this.#queue;
  }

  /** Cancels a countdown; the disk is left alone until it is plugged in again. */
  skip(device: string): StationState {
    const countdown = this.#countdowns.get(device);
    if (countdown !== undefined) {
      clearTimeout(countdown.timer);
      this.#countdowns.delete(device);
    }
    this.#settled.add(device);
    this.#changed();
    return this.state();
  }

  state(): StationState {
    return { armed: this.#armed, countdowns: [...this.#countdowns.values()].map((c) => c.info), ignored: [...this.#ignored] };
  }

  /** Stops every countdown (server shutdown). */
  dispose(): void {
    for (const countdown of this.#countdowns.values()) clearTimeout(countdown.timer);
    this.#countdowns.clear();
    this.#armed = false;
  }

  async #consider(disks: readonly DiskInfo[]): Promise<void> {
    if (!this.#armed) return;
    const present = new Set(disks.map((disk) => disk.device));
    let changed = false;
    // Unplugged: forget it (plugging it in again counts as new), stop its countdown.
    for (const device of [...this.#settled]) if (!present.has(device) && !this.#options.isBusy(device)) this.#settled.delete(device);
    for (const [device, countdown] of this.#countdowns) {
      if (!present.has(device)) {
        clearTimeout(countdown.timer);
        this.#countdowns.delete(device);
        changed = true;
      }
    }
    const ignoredBefore = JSON.stringify(this.#ignored);
    this.#ignored = this.#ignored.filter((item) => present.has(item.device));
    const fresh = disks.filter((disk) => !this.#settled.has(disk.device) && !this.#countdowns.has(disk.device) && !this.#ignored.some((item) => item.device === disk.device));
    if (fresh.length > 0) {
      const candidates = await this.#options.evaluate(fresh);
      for (const candidate of candidates) {
        const { disk } = candidate;
        const reason = this.#disqualified(candidate);
        if (reason !== null) {
          this.#ignored.push({ device: disk.device, reason });
          continue;
        }
        this.#startCountdown(disk);
        changed = true;
      }
    }
    if (changed || JSON.stringify(this.#ignored) !== ignoredBefore) this.#changed();
  }

  #disqualified(candidate: DiskCandidate): string | null {
    if (!candidate.eligible) return candidate.reasons.map((r) => r.detail).join('; ') || 'not eligible';
    if (!candidate.disk.removable && !this.#options.onlyDevices.includes(candidate.disk.device)) return 'not removable (offer it with --only to auto-flash it)';
    if (this.#options.isBusy(candidate.disk.device)) return 'a flash to it is already running';
    return null;
  }

  #startCountdown(disk: DiskInfo): void {
    const startsAt = new Date(Date.now() + this.#options.countdownMs);
    const timer = setTimeout(() => void this.#fire(disk), this.#options.countdownMs);
    timer.unref();
    this.#countdowns.set(disk.device, { info: { device: disk.device, model: disk.model, sizeBytes: disk.sizeBytes, startsAt: startsAt.toISOString() }, timer });
  }

  async #fire(disk: DiskInfo): Promise<void> {
    const { device } = disk;
    if (!this.#countdowns.delete(device)) return;
    this.#settled.add(device);
    this.#changed();
    try {
      await this.#options.startFlash(disk);
    } catch (error) {
      this.#options.onStartError?.(device, error);
    }
  }

  #changed(): void {
    this.#options.onChange(this.state());
  }
}
