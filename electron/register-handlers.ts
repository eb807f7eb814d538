/**
 * Registers the shared handler table (src/service/create-handlers.ts) with ipcMain by walking
 * the contract's channel list through one typed `handle()`: sender check, payload guard,
 * handler, Result envelope. Nothing else is ever registered with ipcMain.
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { CHANNELS, type Channel, type HandlerTable, type Result } from '../src/ipc/contract.ts';
import { CosiflashError } from '../src/errors.ts';
import { dispatchRequest } from '../src/service/dispatch-request.ts';

export interface RegisterOptions {
  readonly ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  readonly handlers: HandlerTable;
  readonly isTrustedSender: (event: IpcMainInvokeEvent) => boolean;
  /** Told about refused calls (logging). */
  readonly onRefused?: (channel: Channel, event: IpcMainInvokeEvent) => void;
}

const FORBIDDEN = new CosiflashError('E_FORBIDDEN', 'The request did not come from the Cosiflash window.').toAppError();

/** Registers every contract channel; returns a function that removes them again. */
export function registerHandlers(options: RegisterOptions): () => void {
  const handle = <C extends Channel>(channel: C): void => {
    options.ipcMain.handle(channel, async (event: IpcMainInvokeEvent, payload: unknown): Promise<Result<unknown>> => {
      if (!options.isTrustedSender(event)) {
        options.onRefused?.(channel, event);
        return { ok: false, error: FORBIDDEN };
      }
      return dispatchRequest(options.handlers, channel, payload);
    });
  };
  for (const channel of CHANNELS) handle(channel);
  return () => {
    for (const channel of CHANNELS) options.ipcMain.removeHandler(channel);
  };
}
