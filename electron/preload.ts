/**
 * The preload script: exposes exactly the IPC contract to the sandboxed renderer as
 * `window.api` through contextBridge. `invoke` only for contract channels, `on` only for
 * contract events (returning an unsubscribe), and the dropped-file path helper. The
 * renderer never sees ipcRenderer or any Electron object.
 *
 * Bundled into one CommonJS file (dist-electron/preload.cjs): sandboxed preloads cannot
 * load other modules.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRenderer, type IpcRendererEvent } from 'electron';
import { CosiflashError, toAppError } from '../src/errors.ts';
import { isChannel, isEventName, type Channel, type CosiflashApi, type EventName, type EventPayload, type RequestOf, type ResponseOf, type Result } from '../src/ipc/contract.ts';

type IpcPort = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;
type PathForFile = (file: Parameters<typeof webUtils.getPathForFile>[0]) => string;

function inputError(detail: string): Result<never> {
  return { ok: false, error: new CosiflashError('E_INPUT', detail).toAppError() };
}

/** Builds the object exposed as `window.api`. */
function createPreloadApi(ipc: IpcPort, getPathForFile: PathForFile | null) {
  const api = {
    invoke<C extends Channel>(channel: C, payload: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
      if (!isChannel(channel)) return Promise.resolve(inputError(`Unknown channel ${String(channel)}.`));
      return (ipc.invoke(channel, payload) as Promise<Result<ResponseOf<C>>>).catch((error: unknown): Result<never> => ({ ok: false, error: toAppError(error) }));
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      if (!isEventName(event) || typeof listener !== 'function') return () => undefined;
      const wrapped = (_event: IpcRendererEvent, payload: EventPayload<E>): void => listener(payload);
      ipc.on(event, wrapped);
      return () => {
        ipc.removeListener(event, wrapped);
      };
    },
    pathForFile(file: object): string | null {
      if (getPathForFile === null) return null;
      try {
        return getPathForFile(file as Parameters<PathForFile>[0]) || null;
      } catch {
        return null;
      }
    },
  } satisfies CosiflashApi;
  return Object.freeze(api);
}

contextBridge.exposeInMainWorld('api', createPreloadApi(ipcRenderer, (file) => webUtils.getPathForFile(file)));
