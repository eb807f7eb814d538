import { describe, expect, it } from 'vitest';
import type { Channel } from '../../src/ipc/contract.ts';
import { CosiflashError } from '../../src/errors.ts';
import { assertPayload, payloadProblem } from '../../src/ipc/guards.ts';

const confirmedDisk = { device: '/dev/sdb', sizeBytes: 16 * 1024 ** 3, logicalSectorBytes: 512, diskseq: '17', majMin: '8:16', serial: '4C53', model: 'Ultra' };
const flashStart = { location: '/images/a.cosi', reviewedImageHash: `sha384:${'cd'.repeat(48)}`, device: '/dev/sdb', confirmedDisk, verify: true, unmount: false, allowVirtual: false };
const disksList = { requiredBytes: 1024 ** 3, lbaSize: 512, sourcePath: null, unmountConsent: false, allowVirtual: false };

const VALID: readonly [Channel, unknown][] = [
  ['app:info', {}],
  ['image:inspect', { location: 'https://example.com/a.cosi' }],
  ['image:inspect', { location: '/a.cosi', expectedHash: `sha384:${'a'.repeat(96)}` }],
  ['image:browse', {}],
  ['disks:list', disksList],
  ['disks:list', { ...disksList, requiredBytes: null, lbaSize: null, sourcePath: '/home/u/a.cosi' }],
  ['flash:start', flashStart],
  ['flash:start', { ...flashStart, expectedHash: 'ab'.repeat(48) }],
  ['flash:start', { ...flashStart, confirmedDisk: { ...confirmedDisk, diskseq: null, majMin: null, serial: null, model: null } }],
  ['flash:start', { ...flashStart, moreTargets: [] }],
  ['flash:start', { ...flashStart, operator: '  Ana Lima ' }],
  ['flash:start', { ...flashStart, operator: 'é'.repeat(64) }],
  ['flash:start', { ...flashStart, moreTargets: [{ device: '/dev/sdc', confirmedDisk: { ...confirmedDisk, device: '/dev/sdc', serial: null } }] }],
  ['flash:cancel', { jobId: 'job-1' }],
  ['flash:list', {}],
  ['report:get', { jobId: 'job-1' }],
  ['report:save', { jobId: 'job-1' }],
  ['recent:list', {}],
  ['recent:add', { location: '/a.cosi', label: 'Azure Linux 3.0' }],
  ['recent:remove', { location: '/a.cosi' }],
];

const INVALID: readonly [Channel, unknown, RegExp][] = [
  ['app:info', null, /must be an object/],
  ['app:info', { extra: 1 }, /payload\.extra: unknown field/],
  ['app:info', [], /must be an object/],
  ['image:inspect', {}, /payload\.location: must be a string/],
  ['flash:start', { ...flashStart, operator: '   ' }, /payload\.operator: must not be empty/],
  ['flash:start', { ...flashStart, operator: 'x'.repeat(65) }, /payload\.operator: must be at most 64 characters/],
  ['flash:start', { ...flashStart, operator: 'ana\n{"result":"verified"}' }, /payload\.operator: must contain printable characters only/],
  ['flash:start', { ...flashStart, operator: 7 }, /payload\.operator: must be a name/],
  ['image:inspect', { location: '' }, /must not be empty/],
  ['image:inspect', { location: 'x'.repeat(9000) }, /longer than/],
  ['image:inspect', { location: '/a\0b' }, /NUL/],
  ['image:inspect', { location: '/a.cosi', expectedHash: 5 }, /expectedHash: must be a string/],
  ['image:inspect', Object.assign(Object.create({ polluted: true }) as object, { location: '/a' }), /must be an object/],
  ['disks:list', { ...disksList, requiredBytes: -1 }, /requiredBytes: must be between/],
  ['disks:list', { ...disksList, requiredBytes: 1.5 }, /requiredBytes: must be an integer/],
  ['disks:list', { ...disksList, lbaSize: '512' }, /lbaSize: must be an integer/],
  ['disks:list', { ...disksList, allowVirtual: 'yes' }, /allowVirtual: must be true or false/],
  ['disks:list', { requiredBytes: null, lbaSize: null, sourcePath: null, unmountConsent: false }, /allowVirtual: must be true or false/],
  ['flash:start', { ...flashStart, device: undefined }, /device: must be a string/],
  ['flash:start', { ...flashStart, verify: 1 }, /verify: must be true or false/],
  ['flash:start', { ...flashStart, reviewedImageHash: undefined }, /reviewedImageHash: must be a string/],
  ['flash:start', { ...flashStart, onlyDevices: ['/dev/sda'] }, /onlyDevices: unknown field/],
  ['flash:start', { ...flashStart, confirmedDisk: undefined }, /confirmedDisk: must be an object/],
  ['flash:start', { ...flashStart, confirmedDisk: { ...confirmedDisk, sizeBytes: 0 } }, /confirmedDisk\.sizeBytes: must be between/],
  ['flash:start', { ...flashStart, confirmedDisk: { ...confirmedDisk, diskseq: 17 } }, /confirmedDisk\.diskseq: must be a string/],
  ['flash:start', { ...flashStart, moreTargets: '/dev/sdc' }, /payload\.moreTargets: must be a list/],
  ['flash:start', { ...flashStart, moreTargets: ['/dev/sdc'] }, /payload\.moreTargets\[0\]: must be an object/],
  ['flash:start', { ...flashStart, moreTargets: [{ device: '/dev/sdc' }] }, /payload\.moreTargets\[0\]\.confirmedDisk: must be an object/],
  ['flash:start', { ...flashStart, moreTargets: [{ ...{ device: '/dev/sdc', confirmedDisk: { ...confirmedDisk, device: '/dev/sdc' } }, unmount: true }] }, /moreTargets\[0\]\.unmount: unknown field/],
  ['flash:start', { ...flashStart, moreTargets: [{ device: '/dev/sdc', confirmedDisk }] }, /moreTargets\[0\]\.confirmedDisk\.device: must be payload\.moreTargets\[0\]\.device/],
  ['flash:start', { ...flashStart, moreTargets: [{ device: '/dev/sdb', confirmedDisk: { ...confirmedDisk, device: '/dev/sdb' } }] }, /moreTargets\[0\]\.device: \/dev\/sdb is named twice/],
  ['flash:start', { ...flashStart, moreTargets: [{ device: '/dev/sdc', confirmedDisk: { ...confirmedDisk, device: '/dev/sdc' } }, { device: '/dev/sdc', confirmedDisk: { ...confirmedDisk, device: '/dev/sdc' } }] }, /moreTargets\[1\]\.device: \/dev\/sdc is named twice/],
  ['flash:start', { ...flashStart, moreTargets: Array.from({ length: 16 }, (_, i) => ({ device: `/dev/loop${i}`, confirmedDisk: { ...confirmedDisk, device: `/dev/loop${i}` } })) }, /moreTargets: more than 15 items/],
  ['flash:start', { ...flashStart, confirmedDisk: { ...confirmedDisk, serial: undefined } }, /confirmedDisk\.serial: must be a string/],
  ['flash:start', { ...flashStart, confirmedDisk: { ...confirmedDisk, uuid: 'x' } }, /confirmedDisk\.uuid: unknown field/],
  ['flash:cancel', { jobId: 7 }, /jobId: must be a string/],
  ['report:save', {}, /jobId: must be a string/],
  ['recent:add', { location: '/a', label: null }, /label: must be a string/],
];

describe('payload guards', () => {
  it.each(VALID)('accepts a valid %s payload', (channel, payload) => {
    expect(payloadProblem(channel, payload)).toBeNull();
    expect(payloadProblem(channel, payload)).toBeNull();
  });

  it.each(INVALID)('rejects a bad %s payload', (channel, payload, problem) => {
    expect(payloadProblem(channel, payload)).toMatch(problem);
    expect(payloadProblem(channel, payload)).not.toBeNull();
    try {
      assertPayload(channel, payload);
      expect.unreachable('assertPayload should throw');
    } catch (error) {
      expect(error).toBeInstanceOf(CosiflashError);
      expect((error as CosiflashError).code).toBe('E_INPUT');
      expect((error as CosiflashError).detail).toContain(channel);
    }
  });
});
