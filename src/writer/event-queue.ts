/**
 * A single-consumer async queue: producers push, one `for await` consumes, `end()` finishes
 * the iteration once the queued items are drained. Used for a writer job's progress events.
 */
export interface EventQueue<T> extends AsyncIterable<T> {
  push(item: T): void;
  end(): void;
}

export function createEventQueue<T>(): EventQueue<T> {
  const items: T[] = [];
  let ended = false;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  return {
    push(item) {
      if (ended) return;
      items.push(item);
      notify();
    },
    end() {
      ended = true;
      notify();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const next = items.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (ended) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}
