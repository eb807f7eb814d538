/**
 * Decides when the other side of the writer protocol has gone silent, without blaming it for
 * this process's own pauses (issue 9 §3).
 *
 * A process stopped with SIGSTOP or Ctrl-Z, or a laptop that slept, sees its heartbeat timer
 * fire late: that lateness was our pause, not the peer's silence, so it is not counted. And
 * silence is only declared on the second tick past the limit: between two ticks the event loop
 * reads whatever the peer already wrote into the pipe (its result may be waiting there).
 */
export interface SilenceWatch {
  /** A message from the peer arrived. */
  heard(): void;
  /**
   * Called by the heartbeat timer. 'paused': this process was paused (the gap is discounted);
   * 'suspect': past the limit once, check again on the next tick; 'silent': past it twice.
   */
  tick(): 'ok' | 'paused' | 'suspect' | 'silent';
  /** How long the peer has been silent, not counting our own pauses. */
  silentForMs(): number;
}

export interface SilenceWatchOptions {
  /** The peer counts as silent after this long without a message. */
  readonly limitMs: number;
  /** How often tick() is called. */
  readonly intervalMs: number;
  /** A tick this much later than planned means this process was paused (default: 2 intervals, at least 2 s). */
  readonly pauseSlackMs?: number;
  readonly now?: () => number;
}

export function createSilenceWatch(options: SilenceWatchOptions): SilenceWatch {
  const now = options.now ?? Date.now;
  const pauseSlackMs = options.pauseSlackMs ?? Math.max(2 * options.intervalMs, 2000);
  let lastHeardAt = now();
  let lastTickAt = lastHeardAt;
  let suspected = false;
  return {
    heard() {
      lastHeardAt = now();
      suspected = false;
    },
    tick() {
      const at = now();
      const lateMs = at - lastTickAt - options.intervalMs;
      lastTickAt = at;
      if (lateMs > pauseSlackMs) {
        // We were not running: the peer could not have reached us meanwhile. Move its last
        // message forward by our pause and let the loop read what is pending first.
        lastHeardAt = Math.min(at, lastHeardAt + lateMs);
        suspected = false;
        return 'paused';
      }
      if (at - lastHeardAt <= options.limitMs) {
        suspected = false;
        return 'ok';
      }
      if (!suspected) {
        suspected = true;
        return 'suspect';
      }
      return 'silent';
    },
    silentForMs: () => now() - lastHeardAt,
  };
}
