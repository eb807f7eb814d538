/**
 * Payload guards for every request channel of the IPC contract.
 *
 * The renderer (and any page that reaches web mode) is untrusted: main checks the shape of
 * each payload before a handler sees it. Hand-written, no schema library: each guard returns
 * null when the value is acceptable, or a short "payload.path: rule" problem that becomes
 * the detail of an E_INPUT error. Objects must be plain and carry no unknown keys, so a
 * typo in the UI fails loudly instead of being ignored. The combinators live in
 * src/common/value-checks.ts, shared with the writer's check of the flash request.
 */
import { CosiflashError } from '../errors.ts';
import type { Channel, RequestOf } from './contract.ts';
import { diskIdentityCheck, MAX_LOCATION_CHARS } from '../common/flash-request-check.ts';
import { operatorNameProblem } from '../common/operator-name.ts';
import { allOf, type Check, flag, integer, isPlainObject, listOf, nullable, optional, shape, text } from '../common/value-checks.ts';

const location = text({ maxLength: MAX_LOCATION_CHARS });
const hash = text({ maxLength: 256 });
const jobId = text({ maxLength: 128 });
const empty = shape({});
const query: Check = (value, path) => (typeof value === 'string' && value.length <= 256 && !value.includes('\0') ? null : `${path}: must be a string of at most 256 characters`);
const LOG_RESULTS: readonly string[] = ['verified', 'written', 'failed', 'cancelled', 'refused'];
const logResult: Check = (value, path) => (typeof value === 'string' && LOG_RESULTS.includes(value) ? null : `${path}: must be one of ${LOG_RESULTS.join(', ')}`);
const isoTime: Check = (value, path) => (typeof value === 'string' && value.length <= 64 && !Number.isNaN(Date.parse(value)) ? null : `${path}: must be an ISO 8601 time`);
const logQuery = shape({ text: query, result: nullable(logResult), since: nullable(isoTime) });
/** The disk the user confirmed (model/disk-identity.ts): every field present, unknown ones null. */
const diskIdentity = diskIdentityCheck;
const targetDevice = text({ maxLength: 512 });
const operatorName: Check = (value, path) => {
  const problem = operatorNameProblem(value);
  return problem === null ? null : `${path}: ${problem}`;
};
/** Most disks one flash from the UI writes (`device` plus `moreTargets`). */
export const MAX_UI_TARGETS = 16;
/** One more disk the user ticked, with the identity it was shown with; the identity names the same device. */
const moreTarget: Check = allOf(shape({ device: targetDevice, confirmedDisk: diskIdentity }), (value, path) => {
  const target = value as { device: string; confirmedDisk: { device: string } };
  return target.confirmedDisk.device === target.device ? null : `${path}.confirmedDisk.device: must be ${path}.device (${target.device})`;
});
/** No disk named twice in one flash (the first `device` included). */
const distinctTargets: Check = (value, path) => {
  if (!isPlainObject(value) || !Array.isArray(value.moreTargets)) return null;
  const seen = new Set([value.device]);
  for (const [index, target] of (value.moreTargets as readonly { device: string }[]).entries()) {
    if (seen.has(target.device)) return `${path}.moreTargets[${index}].device: ${target.device} is named twice; each disk may be chosen once`;
    seen.add(target.device);
  }
  return null;
};

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
  'disks:hidden': empty,
  'flash:start': allOf(
    shape({
      location,
      expectedHash: optional(hash),
      reviewedImageHash: hash,
      device: text({ maxLength: 512 }),
      confirmedDisk: diskIdentity,
      moreTargets: optional(listOf(moreTarget, { maxItems: MAX_UI_TARGETS - 1 })),
      operator: optional(operatorName),
      verify: flag,
      unmount: flag,
      allowVirtual: flag,
    }),
    distinctTargets,
  ),
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

/** Returns the payload typed for `channel`, or throws E_INPUT naming the first problem. */
export function assertPayload<C extends Channel>(channel: C, payload: unknown): RequestOf<C> {
  const problem = payloadProblem(channel, payload);
  if (problem !== null) throw new CosiflashError('E_INPUT', `${channel}: ${problem}`);
  return payload as RequestOf<C>;
}
