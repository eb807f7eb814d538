import { describe, expect, it } from 'vitest';
import { flashRequestProblem, isFlashRequest } from '../../src/common/flash-request-check.ts';
import type { DiskIdentity } from '../../src/model/disk-identity.ts';
import type { FlashRequest } from '../../src/model/flash-request.ts';

const identity = (device: string): DiskIdentity => ({ device, sizeBytes: 8 * 1024 ** 3, logicalSectorBytes: 512, diskseq: '7', majMin: '7:0', serial: null, model: 'Stick' });

/** Every field of a FlashRequest, as the front end sends it to the writer. */
const full: FlashRequest = {
  source: 'https://images.example/os.cosi',
  device: '/dev/sdb',
  expectedHash: `sha384:${'a'.repeat(96)}`,
  verify: true,
  unmount: false,
  allowLoop: false,
  onlyDevices: ['/dev/sdb', '/dev/sdc'],
  confirmedDisk: identity('/dev/sdb'),
  moreTargets: [{ device: '/dev/sdc', confirmedDisk: identity('/dev/sdc') }],
  retryForSeconds: 0.5,
  plainHttp: false,
  cache: { dir: '/home/user/.cache/cosiflash', maxBytes: null },
};

/** The request as the writer reads it: JSON from stdin. */
const overJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('flash request check', () => {
  it('accepts a request with every field, and the smallest one', () => {
    expect(flashRequestProblem(overJson(full))).toBeNull();
    expect(isFlashRequest(overJson({ source: 'x.cosi', verify: false, unmount: false, allowLoop: true }))).toBe(true);
    expect(flashRequestProblem(overJson({ ...full, cache: { dir: 'C:\\Users\\u\\cache', maxBytes: 1024 } }))).toBeNull();
  });

  it.each<[string, unknown, string]>([
    ['not an object', [full], 'request: must be an object'],
    ['a flag that is a string', { ...full, verify: 'yes' }, 'request.verify: must be true or false'],
    ['a missing required field', { source: full.source, verify: true, unmount: false }, 'request.allowLoop: must be true or false'],
    ['an unknown field', { ...full, wipeFirst: true }, 'request.wipeFirst: unknown field'],
    ['an empty source', { ...full, source: '' }, 'request.source: must not be empty'],
    ['more targets without the first', { ...full, device: undefined, confirmedDisk: undefined }, 'request.moreTargets: needs request.device (the first target)'],
    ['a target without its confirmed disk', { ...full, moreTargets: [{ device: '/dev/sdc' }] }, 'request.moreTargets[0].confirmedDisk: must be an object'],
    ['a confirmed disk missing a field', { ...full, confirmedDisk: { ...identity('/dev/sdb'), serial: undefined } }, 'request.confirmedDisk.serial: must be a string'],
    ['a relative cache folder', { ...full, cache: { dir: 'cache', maxBytes: null } }, 'request.cache.dir: must be an absolute path'],
    ['a negative cache size', { ...full, cache: { dir: '/c', maxBytes: -1 } }, 'request.cache.maxBytes: must be between 0 and 9007199254740991'],
    ['a negative retry time', { ...full, retryForSeconds: -1 }, 'request.retryForSeconds: must be between 0 and 9007199254740991'],
    ['a retry time that is not a number', { ...full, retryForSeconds: '120' }, 'request.retryForSeconds: must be a number'],
    ['a device list with a number', { ...full, onlyDevices: ['/dev/sdb', 3] }, 'request.onlyDevices[1]: must be a string'],
  ])('refuses %s, naming the field', (_name, value, problem) => {
    expect(flashRequestProblem(overJson(value))).toBe(problem);
    expect(isFlashRequest(overJson(value))).toBe(false);
  });
});
