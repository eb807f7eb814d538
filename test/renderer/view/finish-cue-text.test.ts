import { describe, expect, it } from 'vitest';
import type { FlashReport, TargetReport } from '../../../src/model/flash-progress.ts';
import { cueNotification, cueTitle, jobLabel } from '../../../renderer/src/view/finish-cue-text.ts';
import { sampleReport, sampleTarget } from '../sample-data.ts';

const target = sampleTarget;

function job(outcome: FlashReport['outcome'], ...targets: TargetReport[]): FlashReport {
  return { ...sampleReport(outcome), device: targets[0]!.device, targets };
}

describe('finish cue title', () => {
  it('the percentage and the device while one job runs, the least done of several, the result after', () => {
    expect(cueTitle({ running: [{ label: '/dev/sdb', fraction: 0.429 }], finished: null })).toBe('42% · /dev/sdb — Cosiflash');
    expect(cueTitle({ running: [{ label: '/dev/sdb', fraction: 0.9 }, { label: '/dev/sdc', fraction: 0.25 }], finished: null })).toBe('2 flashing, 25% — Cosiflash');
    expect(cueTitle({ running: [], finished: sampleReport() })).toBe('✓ Verified · /dev/loop9 — Cosiflash');
    expect(cueTitle({ running: [], finished: sampleReport('failed') })).toBe('✕ Failed · /dev/loop9 — Cosiflash');
    expect(cueTitle({ running: [], finished: sampleReport('cancelled') })).toBe('✕ Cancelled · /dev/loop9 — Cosiflash');
    expect(cueTitle({ running: [], finished: null })).toBe('Cosiflash');
  });

  it('a job of several disks is named by its count, and a mixed result says how many did not make it', () => {
    expect(jobLabel('/dev/sdb', ['/dev/sdb', '/dev/sdc'])).toBe('2 disks');
    expect(jobLabel('/dev/sdb', undefined)).toBe('/dev/sdb');
    expect(cueTitle({ running: [{ label: jobLabel('/dev/sdb', ['/dev/sdb', '/dev/sdc']), fraction: 0.5 }], finished: null })).toBe('50% · 2 disks — Cosiflash');
    expect(cueTitle({ running: [], finished: job('verified', target('/dev/a', 'verified'), target('/dev/b', 'verified')) })).toBe('✓ Verified · 2 disks — Cosiflash');
    // The first disk verified, the second failed: not "Failed · /dev/a".
    expect(cueTitle({ running: [], finished: job('failed', target('/dev/a', 'verified'), target('/dev/b', 'failed')) })).toBe('✕ 1 of 2 failed — Cosiflash');
    expect(cueTitle({ running: [], finished: job('written', target('/dev/a', 'verified'), target('/dev/b', 'written')) })).toBe('✓ Ready · 2 disks — Cosiflash');
  });
});

describe('finish cue notification', () => {
  it('one disk: the result and the device; the error title when it failed', () => {
    expect(cueNotification(sampleReport())).toEqual({ title: 'Cosiflash: verified /dev/loop9', body: 'The disk is ready.' });
    expect(cueNotification({ ...sampleReport('failed'), error: { code: 'E_IMAGE_HASH', title: 'A region of the image is corrupt', detail: '…' } })).toEqual({ title: 'Cosiflash: failed /dev/loop9', body: 'A region of the image is corrupt' });
    expect(cueNotification(sampleReport('cancelled'))).toEqual({ title: 'Cosiflash: cancelled /dev/loop9', body: 'The flash did not complete.' });
  });

  it('several disks: the count, and each disk with its result when not all are ready', () => {
    expect(cueNotification(job('verified', target('/dev/a', 'verified'), target('/dev/b', 'verified')))).toEqual({ title: 'Cosiflash: verified 2 disks', body: 'The disks are ready.' });
    expect(cueNotification(job('failed', target('/dev/a', 'verified'), target('/dev/b', 'failed')))).toEqual({ title: 'Cosiflash: 1 of 2 disks failed', body: '/dev/a verified; /dev/b failed: Writing failed' });
  });
});
