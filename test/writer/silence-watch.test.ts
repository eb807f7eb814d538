import { describe, expect, it } from 'vitest';
import { createSilenceWatch } from '../../src/writer/silence-watch.ts';

/** A clock the test moves by hand (the watch reads time only through `now`). */
function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('createSilenceWatch', () => {
  it('declares a peer silent only on the second tick past the limit, and any message clears the suspicion', () => {
    const c = clock();
    const watch = createSilenceWatch({ limitMs: 5000, intervalMs: 1000, now: c.now });
    const ticks: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      c.advance(1000);
      ticks.push(watch.tick());
    }
    expect(ticks).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'suspect', 'silent']);
    watch.heard();
    c.advance(1000);
    expect(watch.tick()).toBe('ok');
  });

  it('a suspect peer whose pending message is read before the next tick is not silent', () => {
    const c = clock();
    const watch = createSilenceWatch({ limitMs: 3000, intervalMs: 1000, now: c.now });
    for (let i = 0; i < 4; i += 1) {
      c.advance(1000);
      watch.tick();
    }
    expect(watch.silentForMs()).toBe(4000);
    c.advance(1000);
    expect(watch.tick()).toBe('silent');
    const again = createSilenceWatch({ limitMs: 3000, intervalMs: 1000, now: c.now });
    for (let i = 0; i < 3; i += 1) {
      c.advance(1000);
      again.tick();
    }
    c.advance(1000);
    expect(again.tick()).toBe('suspect');
    again.heard(); // the event loop read the pipe between the two ticks
    c.advance(1000);
    expect(again.tick()).toBe('ok');
  });

  it('does not count its own pause (a late timer: SIGSTOP, Ctrl-Z, a sleeping laptop) against the peer', () => {
    const c = clock();
    const watch = createSilenceWatch({ limitMs: 15_000, intervalMs: 1000, now: c.now });
    c.advance(1000);
    expect(watch.tick()).toBe('ok');
    c.advance(30_000); // this process was stopped for 30 s
    expect(watch.tick()).toBe('paused');
    expect(watch.silentForMs()).toBeLessThan(3000);
    for (let i = 0; i < 10; i += 1) {
      c.advance(1000);
      expect(watch.tick()).toBe('ok');
    }
    // A real silence after the pause still counts.
    for (let i = 0; i < 5; i += 1) {
      c.advance(1000);
      watch.tick();
    }
    c.advance(1000);
    expect(['suspect', 'silent']).toContain(watch.tick());
  });
});
