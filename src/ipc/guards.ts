/**
 * Payload guards for every request channel of the IPC contract.
 *
 * The renderer (and any page that reaches web mode) is untrusted: main checks the shape of
 * each payload before a handler sees it. Hand-written, no schema library: each guard returns
 * null when the value is acceptable, or a short "payload.path: rule" problem that becomes
 * the detail of an E_INPUT error. Objects must be plain and carry no unknown keys, so a
 * typo in the UI fails loudly instead of being ignored.
 */
import { CosiflashError } from '../errors.ts';
import type { Channel, RequestOf } from './contract.ts';

/** Returns null when `value` is acceptable, else a problem naming `path`. */
export type Check = (value: unknown, path: string) => string | null;

const MAX_LOCATION_CHARS = 8192;

function text(options: { maxLength: number }): Check {
  return (value, path) => {
    if (typeof value !== 'string') return `${path}: must be a string`;
    if (value.length === 0) return `${path}: must not be empty`;
    if (value.length > options.maxLength) return `${path}: longer than ${options.maxLength} characters`;
    if (value.includes('\0')) return `${path}: must not contain NUL characters`;
    return null;
  };
}

const flag: Check = (value, path) => (typeof value === 'boolean' ? null : `${path}: must be true or false`);

function integer(options: { min: number; max: number }): Check {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) return `${path}: must be an integer`;
    if (value < options.min || value > options.max) return `${path}: must be between ${options.min} and ${options.max}`;
    return null;
  };
}

function nullable(check: Check): Check {
  return (value, path) => (value === null ? null : check(value, path));
}

function optional(check: Check): Check {
  return (value, path) => (value === undefined ? null : check(value, path));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A plain object with exactly these keys (optional ones may be missing or undefined). */
export function shape(fields: Readonly<Record<string, Check>>): Check {
  return (value, path) => {
    if (!isPlainObject(value)) return `${path}: must be an object`;
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(fields, key)) return `${path}.${key}: unknown field`;
    }
    for (const [key, check] of Object.entries(fields)) {
      const problem = check(value[key], `${path}.${key}`);
      if (problem !== null) return problem;
    }
    return null;
  };
}

const location = text({ maxLength: MAX_LOCATION_CHARS });
const hash = text({ maxLength: 256 });
const jobId = text({ maxLength: 128 });
const empty = shape({});
const query: Check = (value, path) => (typeof value === 'string' && value.length <= 256 && !value.includes('\0') ? null : `${path}: must be a string of at most 256 characters`);
const LOG_RESULTS: readonly string[] = ['verified', 'written', 'failed', 'cancelled', 'refused'];
const logResult: Check = (value, path) => (typeof value === 'string' && LOG_RESULTS.includes(value) ? null : `${path}: must be one of ${LOG_RESULTS.join(', ')}`);
const isoTime: Check = (value, path) => (typeof value === 'string' && value.length <= 64 && !Number.isNaN(Date.parse(value)) ? null : `${path}: must be an ISO 8601 time`);
const logQuery = shape({ text: query, result: nullable(logResult), since: nullable(isoTime) });
const sizeBytes = integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
/** The disk the user confirmed (model/disk-identity.ts): every field present, unknown ones null. */
const diskIdentity = shape({
  device: text({ maxLength: 512 }),
  sizeBytes,
  logicalSectorBytes: integer({ min: 512, max: 65536 }),
  diskseq: nullable(text({ maxLength: 32 })),
  majMin: nullable(text({ maxLength: 32 })),
  serial: nullable(text({ maxLength: 512 })),
  model: nullable(text({ maxLength: 512 })),
});

/** One guard per request channel (the contract test checks this covers CHANNELS exactly). */
export const PAYLOAD_GUARDS: { readonly [C in Channel]: Check } = {
  'app:info': empty,
  'image:inspect': shape({ location, expectedHash: optional(hash) }),
  'image:browse': empty,
  'disks:list': shape({
    requiredBytes: nullable(integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
    lbaSize: nullable(integer({ min: 512, max: 65536 })),
    sourcePath: nullable(location),
    unmountConsent: flag,
    allowVirtual: flag,
  }),
  'flash:start': shape({
    location,
    expectedHash: optional(hash),
    reviewedImageHash: hash,
    device: text({ maxLength: 512 }),
    confirmedDisk: diskIdentity,
    verify: flag,
    unmount: flag,
    allowVirtual: flag,
  }),
  'flash:cancel': shape({ jobId }),
  'flash:list': empty,
  'report:get': shape({ jobId }),
  'report:save': shape({ jobId }),
  'recent:list': empty,
  'recent:add': shape({ location, expectedHash: optional(hash), label: optional(text({ maxLength: 256 })) }),
  'recent:remove': shape({ location }),
  'cache:list': empty,
  'cache:remove': shape({ location }),
  'log:list': logQuery,
  'log:csv': logQuery,
  'station:state': empty,
  'station:skip': shape({ device: text({ maxLength: 512 }) }),
};

/** The problem with a payload for `channel`, or null when it is acceptable. */
export function payloadProblem(channel: Channel, payload: unknown): string | null {
  return PAYLOAD_GUARDS[channel](payload, 'payload');
}

/** Type guard: `payload` is a valid request for `channel`. */
export function isPayload<C extends Channel>(channel: C, payload: unknown): payload is RequestOf<C> {
  return payloadProblem(channel, payload) === null;
}

/** Returns the payload typed for `channel`, or throws E_INPUT naming the first problem. */
export function assertPayload<C extends Channel>(channel: C, payload: unknown): RequestOf<C> {
  const problem = payloadProblem(channel, payload);
  if (problem !== null) throw new CosiflashError('E_INPUT', `${channel}: ${problem}`);
  return payload as RequestOf<C>;
}
