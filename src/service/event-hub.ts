/**
 * Fan-out of contract events from the handler table to every front end connection.
 *
 * Electron main forwards to its window (and drives the taskbar progress from it); web mode
 * pushes to every authenticated WebSocket. Listeners get plain data only.
 */
import type { ContractEvent, EventName, EventPayload } from '../ipc/contract.ts';

export type EventListener = (message: ContractEvent) => void;

export class EventHub {
  readonly #listeners = new Set<EventListener>();

  /** Adds a listener; returns its unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const message = { event, payload } as ContractEvent;
    for (const listener of [...this.#listeners]) {
      try {
        listener(message);
      } catch {
        // A failing connection must not stop the others from getting the event.
      }
    }
  }
}
