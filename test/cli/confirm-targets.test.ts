import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { answerMatches, confirmTargets } from '../../src/cli/confirm-targets.ts';

/** Runs the prompt with a fake stdin: each answer is typed after the next question appears. */
async function typed(devices: readonly string[], answers: readonly string[], count?: number): Promise<{ ok: boolean; shown: string }> {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = '';
  let answered = 0;
  output.on('data', (chunk: Buffer) => {
    shown += chunk.toString();
    if (answered < answers.length) input.write(`${answers[answered++]}\n`);
    else input.end();
  });
  const ok = await confirmTargets({ input, output, devices, ...(count === undefined ? {} : { count }) });
  return { ok, shown };
}

describe('confirmTargets', () => {
  it('one disk: the device path confirms, a short name is asked again, anything else is a no', async () => {
    expect((await typed(['/dev/loop1'], ['/dev/loop1'])).ok).toBe(true);
    expect((await typed(['/dev/loop1'], ['/dev/sda'])).ok).toBe(false);
    const short = await typed(['/dev/loop1'], ['loop1', '/dev/loop1']);
    expect(short.ok).toBe(true);
    expect(short.shown).toContain('Type the full path, /dev/loop1');
    expect((await typed(['/dev/loop1'], ['loop1', ''])).ok).toBe(false);
  });

  it('several disks: every device must be typed (any order); a wrong answer asks again, Enter stops', async () => {
    const devices = ['/dev/loop1', '/dev/loop2'];
    const right = await typed(devices, ['/dev/loop2 /dev/loop1']);
    expect(right.ok).toBe(true);
    expect(right.shown).toContain('/dev/loop1 /dev/loop2');
    const again = await typed(devices, ['/dev/loop1', '/dev/loop1,/dev/loop2']);
    expect(again.ok).toBe(true);
    expect(again.shown).toContain('That is not the list of devices');
    expect((await typed(devices, ['/dev/loop1', ''])).ok).toBe(false);
    expect((await typed(devices, ['x', 'y', 'z', 'w'])).ok).toBe(false);
  });

  it('--count N: the user types N; the prompt names every device', async () => {
    const devices = ['/dev/loop1', '/dev/loop2'];
    const right = await typed(devices, ['2'], 2);
    expect(right.ok).toBe(true);
    expect(right.shown).toContain('Type 2 to erase these 2 disks (/dev/loop1, /dev/loop2)');
    expect((await typed(devices, ['3', '2'], 2)).ok).toBe(true);
    expect((await typed(devices, ['/dev/loop1 /dev/loop2', ''], 2)).ok).toBe(false);
  });

  it('answerMatches: exactly the devices, no repeats, nothing extra', () => {
    const devices = ['/dev/a', '/dev/b'];
    expect(answerMatches('/dev/b, /dev/a', devices)).toBe(true);
    expect(answerMatches('/dev/a /dev/a', devices)).toBe(false);
    expect(answerMatches('/dev/a /dev/b /dev/c', devices)).toBe(false);
    expect(answerMatches('a b', devices)).toBe(false);
  });
});
