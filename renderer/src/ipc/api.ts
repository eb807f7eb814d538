/**
 * The one API the renderer talks to: the IPC contract's {@link CosiflashApi}, whichever
 * transport carries it (Electron preload or the web-mode WebSocket).
 *
 * Only the store's actions and the IPC bridge hold an Api; components never do.
 */
import type { ErrorCode } from '../../../src/errors.ts';
import type { AppError } from '../../../src/model/app-error.ts';
import type { CosiflashApi, Result } from '../../../src/ipc/contract.ts';

export type Api = CosiflashApi;

/** Connection state of a transport that can drop (web mode); Electron is always 'open'. */
export type ConnectionState = 'connecting' | 'open' | 'closed' | 'unauthorized';

/** E_CONNECTION of src/errors.ts; its title and hint are repeated here (the renderer imports only types from there). */
const CONNECTION_CODE: ErrorCode = 'E_CONNECTION';

/** An error envelope for failures of the transport itself (socket closed, no preload). */
export function transportError(detail: string, hint?: string): Result<never> {
  const error: AppError = {
    code: CONNECTION_CODE,
    title: 'Lost the connection to Cosiflash',
    detail,
    hint: hint ?? 'Check that `cosiflash serve` is still running, then reload this page.',
  };
  return { ok: false, error };
}
