/**
 * Who may call main: only the app's own window, its main frame, showing the app's own page.
 * A subframe, another webContents (devtools extensions, a future second window) or a page
 * that somehow navigated elsewhere is refused before its payload is even looked at.
 * (Electron security checklist, "Validate the sender of all IPC messages".)
 */
import type { IpcMainInvokeEvent, WebContents } from 'electron';

/** The parts of an invoke event the check reads (so tests can build one). */
export type SenderEvent = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>;

export function isTrustedSender(event: SenderEvent, expected: { webContents: WebContents | null; isAppUrl: (url: string) => boolean }): boolean {
  if (expected.webContents === null || event.sender !== expected.webContents) return false;
  const frame = event.senderFrame;
  if (frame === null || frame.parent !== null) return false;
  if (frame !== event.sender.mainFrame) return false;
  return expected.isAppUrl(frame.url);
}
