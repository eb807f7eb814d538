/**
 * The check of a {@link FlashRequest} that arrived over a process boundary (the writer
 * receives it as JSON on stdin, src/writer/writer-protocol.ts), built from the same check
 * combinators as the IPC payload guards (value-checks.ts).
 *
 * The field table is typed by the request's own keys: a field added to FlashRequest
 * without a check here fails the typecheck, and a field the check does not know is refused
 * at run time (`unknown field`).
 */
import type { FlashCacheRequest, FlashRequest, TargetRequest } from '../model/flash-request.ts';
import { allOf, type Check, finiteNumber, flag, integer, isPlainObject, listOf, nullable, optional, shape, text } from './value-checks.ts';

/** Longest image location (URL or path) accepted. */
export const MAX_LOCATION_CHARS = 8192;
/** Most targets of one job (`device` plus `moreTargets`). */
export const MAX_TARGETS = 64;

const device = text({ maxLength: 512 });

/** The disk the user confirmed (model/disk-identity.ts): every field present, unknown ones null. */
export const diskIdentityCheck: Check = shape({
  device,
  sizeBytes: integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  logicalSectorBytes: integer({ min: 512, max: 65536 }),
  diskseq: nullable(text({ maxLength: 32 })),
  majMin: nullable(text({ maxLength: 32 })),
  serial: nullable(text({ maxLength: 512 })),
  model: nullable(text({ maxLength: 512 })),
});

/** An absolute POSIX or Windows path. */
const absolutePath: Check = (value, path) => text({ maxLength: 4096 })(value, path) ?? (/^(\/|[A-Za-z]:\\)/.test(value as string) ? null : `${path}: must be an absolute path`);

const cacheFields: { readonly [K in keyof Required<FlashCacheRequest>]: Check } = {
  dir: absolutePath,
  maxBytes: nullable(integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
};

const targetFields: { readonly [K in keyof Required<TargetRequest>]: Check } = { device, confirmedDisk: diskIdentityCheck };

const requestFields: { readonly [K in keyof Required<FlashRequest>]: Check } = {
  source: text({ maxLength: MAX_LOCATION_CHARS }),
  device: optional(device),
  expectedHash: optional(text({ maxLength: 256 })),
  verify: flag,
  unmount: flag,
  allowLoop: flag,
  onlyDevices: optional(listOf(device, { maxItems: 4096 })),
  confirmedDisk: optional(diskIdentityCheck),
  moreTargets: optional(listOf(shape(targetFields), { maxItems: MAX_TARGETS - 1 })),
  retryForSeconds: optional(finiteNumber({ min: 0, max: Number.MAX_SAFE_INTEGER })),
  plainHttp: optional(flag),
  cache: optional(shape(cacheFields)),
};

/** More targets are written alongside `device`: they need one. */
const moreTargetsNeedDevice: Check = (value, path) =>
  isPlainObject(value) && value.moreTargets !== undefined && value.device === undefined ? `${path}.moreTargets: needs ${path}.device (the first target)` : null;

const flashRequestCheck = allOf(shape(requestFields), moreTargetsNeedDevice);

/** The problem with `value` as a flash request ("request.verify: must be true or false"), or null when it is one. */
export function flashRequestProblem(value: unknown): string | null {
  return flashRequestCheck(value, 'request');
}

/** Type guard: `value` is a well-formed {@link FlashRequest}. */
export function isFlashRequest(value: unknown): value is FlashRequest {
  return flashRequestProblem(value) === null;
}
