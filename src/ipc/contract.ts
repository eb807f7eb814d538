/**
 * The IPC contract between the UI and the main side, declared once.
 *
 * Every request/response channel and every event lives here as a type map plus a runtime
 * list of names (`domain:verb`). Electron main, the preload allowlist, web mode
 * (`cosiflash serve`) and the renderer's transports are all derived from this file, and a
 * contract test checks that channel list, payload guards, handler table and preload
 * allowlist are the same set.
 *
 * Rules: payloads are plain structured-clone-safe and JSON-safe data (no Error, no
 * undefined-only meaning, no class instances; "nothing" is `null`); errors travel as
 * {@link AppError} inside a {@link Result} envelope. This file imports only types from
 * src/model so the renderer can `import type` it. Changes after the first commit are
 * additive only.
 */
import type { AppError } from '../model/app-error.ts';
import type { DiskIdentity } from '../model/disk-identity.ts';
import type { DiskCandidate, DiskInfo } from '../model/disk-info.ts';
import type { FlashLogEntry, FlashLogResult } from '../model/flash-log-entry.ts';
import type { FlashProgress, FlashReport } from '../model/flash-progress.ts';
import type { Layout } from '../model/layout.ts';

/** A request with no parameters: send `{}`. */
export type EmptyRequest = Readonly<Record<string, never>>;

/** The envelope every request resolves to; handlers never reject across the boundary. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: AppError };

/** Which front end serves the UI. */
export type AppMode = 'electron' | 'web';

/** Station mode (`cosiflash serve --image URL [--auto-flash]`): one pinned image. */
export interface StationInfo {
  /** The pinned image: the UI opens on it, already inspected. */
  readonly image: { readonly location: string; readonly expectedHash: string | null };
  /** Eligible disks that appear after start are flashed after a countdown, without a click. */
  readonly autoFlash: boolean;
  readonly countdownSeconds: number;
}

/** A disk that appeared and will be flashed when its countdown ends, unless skipped. */
export interface StationCountdown {
  readonly device: string;
  readonly model: string | null;
  readonly sizeBytes: number;
  /** ISO 8601 time the flash starts. */
  readonly startsAt: string;
}

/** What auto-flash is doing now (the lanes themselves are flash jobs: flash:list). */
export interface StationState {
  readonly armed: boolean;
  readonly countdowns: readonly StationCountdown[];
  /** Disks that appeared but do not qualify, with why (shown so nobody waits for them). */
  readonly ignored: readonly { readonly device: string; readonly reason: string }[];
}

export interface DeviceRequest {
  readonly device: string;
}

export interface AppInfo {
  readonly name: string;
  readonly version: string;
  /** process.platform of the machine that writes the disks (linux, win32, darwin). */
  readonly platform: string;
  readonly arch: string;
  readonly mode: AppMode;
  /** What this front end can do, so the UI hides what it cannot. */
  readonly capabilities: {
    /** `image:browse` opens a native file dialog (Electron only). */
    readonly browse: boolean;
    /** `report:save` asks where to save (Electron); in web mode it saves under the config dir. */
    readonly saveDialog: boolean;
    /** Dropped files have a local path (Electron, via `pathForFile`). */
    readonly dropPaths: boolean;
    /** Loop/virtual disks can be offered at all (started with --allow-loop); else `allowVirtual` has no effect. */
    readonly virtualDisks: boolean;
  };
  /** Station mode, or null for the normal flow. */
  readonly station: StationInfo | null;
}

export interface InspectRequest {
  /** http(s)://, file:// URL or a local path (on the machine running main / the server). */
  readonly location: string;
  /** `sha384:<96 hex>` or bare hex; the metadata.json hash must match. */
  readonly expectedHash?: string;
}

export interface SourceInfo {
  /** Normalised location (absolute path for files). Use this one for flash:start. */
  readonly location: string;
  readonly kind: 'file' | 'http' | 'oci';
  readonly sizeBytes: number;
  /** Absolute path for local files (disks:list uses it to refuse the disk holding it). */
  readonly localPath: string | null;
}

export interface InspectResult {
  readonly layout: Layout;
  readonly source: SourceInfo;
  /** image:inspect only: what the recent-images list remembers about this location. */
  readonly recent?: RecentImageCheck;
}

/**
 * Lists every disk with the reasons it cannot take the image. Without an image
 * (`requiredBytes: null`) only size-independent rules apply and the sector-size rule uses
 * `lbaSize` when given.
 */
export interface DisksListRequest {
  /** Bytes the image needs (Layout.disk.sizeBytes), or null before an image is chosen. */
  readonly requiredBytes: number | null;
  /** Layout.disk.lbaSize, or null before an image is chosen. */
  readonly lbaSize: number | null;
  /** SourceInfo.localPath of the image, so the disk holding it is refused. */
  readonly sourcePath: string | null;
  /** The user agreed that mounted partitions of the target may be unmounted. */
  readonly unmountConsent: boolean;
  /** Offer virtual/loop devices (testing benches). Web mode may force this off. */
  readonly allowVirtual: boolean;
}

export interface FlashStartRequest {
  /** SourceInfo.location from image:inspect. */
  readonly location: string;
  readonly expectedHash?: string;
  /** Layout.imageHash of the image the user reviewed: the flash writes exactly that image or nothing. */
  readonly reviewedImageHash: string;
  /** Whole-disk device path the user confirmed, e.g. /dev/sdb. Re-checked in main. */
  readonly device: string;
  /**
   * The identity of the disk the user was shown and confirmed (from disks:list: diskIdentityOf
   * in src/common/disk-identity-of.ts). Main refuses with E_DISK_CHANGED when `device` is
   * another disk now, and the writer checks it again after its exclusive open.
   */
  readonly confirmedDisk: DiskIdentity;
  /**
   * More disks written by the same job (the user ticked several on the Target screen), each with
   * the identity it was shown with; checked like `device`/`confirmedDisk`. Absent: one disk.
   */
  readonly moreTargets?: readonly { readonly device: string; readonly confirmedDisk: DiskIdentity }[];
  /** Who flashes (the Confirm dialog's Operator field), logged as `operator`; trimmed, 1–64 printable characters. Absent: the server's --operator, if any. */
  readonly operator?: string;
  /** Read back and hash every region after writing. */
  readonly verify: boolean;
  /** Unmount the target's mounted partitions first (the user agreed). */
  readonly unmount: boolean;
  readonly allowVirtual: boolean;
}

export interface FlashStartResult {
  readonly jobId: string;
}

export interface JobRequest {
  readonly jobId: string;
}

export type FlashJobState = 'running' | 'verified' | 'written' | 'failed' | 'cancelled';

/** A flash job as main remembers it (for reconnecting UIs, e.g. a reloaded web page). */
export interface FlashJobInfo {
  readonly jobId: string;
  readonly location: string;
  readonly device: string;
  readonly state: FlashJobState;
  /** The plan event (regions, totals), once the writer sent it. */
  readonly plan: Extract<FlashProgress, { type: 'plan' }> | null;
  /** The newest progress/done/failed event. */
  readonly last: FlashProgress | null;
  readonly report: FlashReport | null;
}

/** An image the user opened before, newest first, persisted by main. */
export interface RecentImage {
  readonly location: string;
  readonly expectedHash: string | null;
  /** A short human label, e.g. the OS pretty name. */
  readonly label: string | null;
  /** ISO 8601 time of last use. */
  readonly lastUsedAt: string;
  /** The image hash seen on the first successful inspect of this location (null: none recorded yet). */
  readonly imageHash?: string | null;
  /** When that first inspect was. */
  readonly firstSeenAt?: string | null;
  /** OS name and version of the image last inspected here, to tell entries apart. */
  readonly os?: string | null;
  readonly osVersion?: string | null;
  /** A flash of this image failed verification (a corrupt region): not a good image. Null otherwise. */
  readonly failed?: { readonly imageHash: string; readonly code: string; readonly at: string } | null;
}

/** What the recent list knows about a location just inspected (InspectResult.recent). */
export interface RecentImageCheck {
  /** new: never seen; same: the remembered image; changed: the location now serves another image. */
  readonly status: 'new' | 'same' | 'changed';
  readonly rememberedHash: string | null;
  readonly firstSeenAt: string | null;
  /** This image (this hash) failed verification before. */
  readonly failed: { readonly code: string; readonly at: string } | null;
}

export interface RecentAddRequest {
  readonly location: string;
  readonly expectedHash?: string;
  readonly label?: string;
}

export interface RecentRemoveRequest {
  readonly location: string;
}

/** An image in the verified image cache (src/cache/), as Recent images show it. */
export interface CachedImage {
  readonly id: string;
  readonly location: string;
  readonly sizeBytes: number;
  /** Bytes of the image present in the cache (re-hashed before every use). */
  readonly cachedBytes: number;
  readonly complete: boolean;
  /** `sha384:<hex>` once known. */
  readonly imageHash: string | null;
  /** A flash or fetch reads or fills it now (it cannot be removed then). */
  readonly inUse: boolean;
}

export interface CacheListResult {
  /** False when caching is turned off (`serve --no-cache`, `"imageCache": false` in settings.json). */
  readonly enabled: boolean;
  readonly entries: readonly CachedImage[];
}

/** Which flash-log entries to list or export (the History view's filter). */
export interface LogQueryRequest {
  /** Case-insensitive text matched against device, model, serial, image, OS, station, operator, error code; '' matches all. */
  readonly text: string;
  /** Only entries with this result; null for all. */
  readonly result: FlashLogResult | null;
  /** Only flashes started at or after this ISO 8601 time; null for all. */
  readonly since: string | null;
}

export interface LogListResult {
  /** Newest first. */
  readonly entries: readonly FlashLogEntry[];
  /** The log file on the machine that writes the disks. */
  readonly file: string;
  /** Entries in the whole log, before filtering. */
  readonly totalCount: number;
}

/** Every request channel: its request payload and its response value (inside a Result). */
export interface RequestMap {
  'app:info': { readonly request: EmptyRequest; readonly response: AppInfo };
  'image:inspect': { readonly request: InspectRequest; readonly response: InspectResult };
  /** Native "open file" dialog; null when cancelled or unsupported (web mode). */
  'image:browse': { readonly request: EmptyRequest; readonly response: string | null };
  'disks:list': { readonly request: DisksListRequest; readonly response: readonly DiskCandidate[] };
  /** How many virtual (loop) disks disks:list leaves out when `allowVirtual` is false (0 unless started with --allow-loop). */
  'disks:hidden': { readonly request: EmptyRequest; readonly response: HiddenDisksResult };
  'flash:start': { readonly request: FlashStartRequest; readonly response: FlashStartResult };
  /** Cancels a running job (no-op when it already ended). */
  'flash:cancel': { readonly request: JobRequest; readonly response: null };
  'flash:list': { readonly request: EmptyRequest; readonly response: readonly FlashJobInfo[] };
  /** The report of a finished job, or null while it runs / when unknown. */
  'report:get': { readonly request: JobRequest; readonly response: FlashReport | null };
  /** Saves the report as JSON; the saved path, or null when the user cancelled the dialog. */
  'report:save': { readonly request: JobRequest; readonly response: string | null };
  'recent:list': { readonly request: EmptyRequest; readonly response: readonly RecentImage[] };
  /** Adds or refreshes an entry; returns the new list. */
  'recent:add': { readonly request: RecentAddRequest; readonly response: readonly RecentImage[] };
  'recent:remove': { readonly request: RecentRemoveRequest; readonly response: readonly RecentImage[] };
  /** The verified image cache: which images are cached, and how much of each. */
  'cache:list': { readonly request: EmptyRequest; readonly response: CacheListResult };
  /** Removes an image (by location) from the cache; E_CACHE_IN_USE while it is being used. */
  'cache:remove': { readonly request: RecentRemoveRequest; readonly response: CacheListResult };
  /** The flash log (History view), filtered. */
  'log:list': { readonly request: LogQueryRequest; readonly response: LogListResult };
  /** The same filtered entries as CSV text (the UI downloads or saves it). */
  'log:csv': { readonly request: LogQueryRequest; readonly response: string };
  /** Station mode: the countdowns (empty when not armed). */
  'station:state': { readonly request: EmptyRequest; readonly response: StationState };
  /** Station mode: do not auto-flash this disk (until it is unplugged and plugged again). */
  'station:skip': { readonly request: DeviceRequest; readonly response: StationState };
}

export interface HiddenDisksResult {
  /** Virtual disks that exist but are hidden until "show virtual disks" is turned on. */
  readonly virtualCount: number;
}

export interface DisksChangedEvent {
  /** The fresh enumeration; call disks:list to get them evaluated for the current image. */
  readonly disks: readonly DiskInfo[];
}

/** Every event main pushes to the UI. */
export interface EventMap {
  /** Hotplug: the set of disks changed (polled about every 2 s). */
  'disks:changed': DisksChangedEvent;
  /** Progress of a flash job; `done`/`failed` carry the report. ≤ 4 Hz per job. */
  'flash:progress': FlashProgress;
  /** Station mode: a countdown started, ended or was skipped. */
  'station:changed': StationState;
}

export type Channel = keyof RequestMap;
export type EventName = keyof EventMap;
export type RequestOf<C extends Channel> = RequestMap[C]['request'];
export type ResponseOf<C extends Channel> = RequestMap[C]['response'];
export type EventPayload<E extends EventName> = EventMap[E];
/** One event as data: `{ event, payload }` with the payload typed by the event name. */
export type ContractEvent = { readonly [E in EventName]: { readonly event: E; readonly payload: EventPayload<E> } }[EventName];

/** Runtime list of request channels (the preload allowlist and handler table match it). */
export const CHANNELS = [
  'app:info',
  'image:inspect',
  'image:browse',
  'disks:list',
  'disks:hidden',
  'flash:start',
  'flash:cancel',
  'flash:list',
  'report:get',
  'report:save',
  'recent:list',
  'recent:add',
  'recent:remove',
  'cache:list',
  'cache:remove',
  'log:list',
  'log:csv',
  'station:state',
  'station:skip',
] as const satisfies readonly Channel[];

/** Runtime list of events. */
export const EVENTS = ['disks:changed', 'flash:progress', 'station:changed'] as const satisfies readonly EventName[];

// Compile-time proof that the runtime lists name every key of the maps (and nothing else).
type Missing<All, Listed> = Exclude<All, Listed>;
const channelsComplete: Missing<Channel, (typeof CHANNELS)[number]> extends never ? true : never = true;
const eventsComplete: Missing<EventName, (typeof EVENTS)[number]> extends never ? true : never = true;
void channelsComplete;
void eventsComplete;

/** Type guard for channel names arriving from an untrusted side. */
export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}

/** Type guard for event names. */
export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && (EVENTS as readonly string[]).includes(value);
}

/**
 * What the UI calls: the same shape in Electron (preload's `window.api`) and in web mode
 * (the WebSocket transport). `invoke` never rejects for handler errors: it resolves to the
 * envelope. `on` returns its unsubscribe function.
 */
export interface CosiflashApi {
  invoke<C extends Channel>(channel: C, payload: RequestOf<C>): Promise<Result<ResponseOf<C>>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /**
   * Electron only: the local path of a dropped DOM `File` (webUtils.getPathForFile), or null
   * when it has none. Typed `object` because this file carries no DOM types.
   */
  pathForFile?: (file: object) => string | null;
}

/** Handler implementing one channel on the main side (Electron main or web mode). */
export type Handler<C extends Channel> = (payload: RequestOf<C>) => Promise<ResponseOf<C>>;

/** The one handler table both front ends register. Throw CosiflashError to answer an error. */
export type HandlerTable = { readonly [C in Channel]: Handler<C> };
