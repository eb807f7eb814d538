import { describe, expect, it } from 'vitest';
import { validateMetadata } from '../../src/cosi/validate-metadata.ts';
import { invalid, mutatedSample, outcome } from '../support/metadata-samples.ts';

const ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

/** The spec MUSTs Trident skips (docs/behavior.md §3), and the warnings. */
describe('extra rules', () => {
  it('rejects a disk size that is not a multiple of lbaSize', () => {
    expect(outcome(mutatedSample((d) => { d.disk.size = 1073741824 + 100; })))
      .toEqual(invalid('disk.size: must be a multiple of disk.lbaSize (512); 1073741924 is not'));
    expect(outcome(mutatedSample((d) => { d.disk.lbaSize = 4096; d.disk.size = 4096 * 1000 + 512; })))
      .toEqual(invalid('disk.size: must be a multiple of disk.lbaSize (4096); 4096512 is not'));
  });

  it('rejects two regions sharing one image file', () => {
    const doc = mutatedSample((d) => {
      d.disk.gptRegions.push({ ...d.disk.gptRegions[2], number: 3 });
    });
    expect(outcome(doc)).toEqual(invalid('disk.gptRegions[3].image.path: every region needs its own image file ("images/root.rawzst" is also the image of disk.gptRegions[2])'));
  });

  it.each([
    [32, { accepted: false, code: 'E_WINDOW_TOO_LARGE', detail: 'compression.maxWindowLog: 32 means a 4 GiB zstd window; at most 31 (2 GiB) can be decoded safely' }],
    [41, { accepted: false, code: 'E_WINDOW_TOO_LARGE', detail: 'compression.maxWindowLog: 41 means a 2048 GiB zstd window; at most 31 (2 GiB) can be decoded safely' }],
    [9, invalid('compression.maxWindowLog: must be between 10 and 31 (a zstd windowLog, the power of two of the window size), got 9')],
    [0, invalid('compression.maxWindowLog: must be between 10 and 31 (a zstd windowLog, the power of two of the window size), got 0')],
    [-1, invalid('compression.maxWindowLog: must be at least 0, got -1')],
  ])('maxWindowLog %d is rejected', (maxWindowLog, expected) => {
    expect(outcome(mutatedSample((d) => { d.compression.maxWindowLog = maxWindowLog; }))).toEqual(expected);
  });

  it.each([10, 27, 31])('maxWindowLog %d is accepted', (maxWindowLog) => {
    expect(validateMetadata(mutatedSample((d) => { d.compression.maxWindowLog = maxWindowLog; })).metadata.compression.maxWindowLog).toBe(maxWindowLog);
  });
});

describe('warnings', () => {
  it('warns about a missing id and nothing else for the plain sample', () => {
    expect(validateMetadata(mutatedSample(() => {})).warnings).toEqual(['id: missing (optional); the image has no unique identifier']);
    expect(validateMetadata(mutatedSample((d) => { d.id = ID; })).warnings).toEqual([]);
  });

  it('warns (does not fail) about filesystem UUIDs used twice, in any case', () => {
    const doc = mutatedSample((d) => { d.id = ID; d.images[1].fsUuid = 'c3d4-250d'; });
    expect(outcome(doc)).toEqual({
      accepted: true,
      warnings: ['images[1].fsUuid: "c3d4-250d" is also the fsUuid of images[0] (the spec requires unique filesystem UUIDs)'],
    });
  });
});
