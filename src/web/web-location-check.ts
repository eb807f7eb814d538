/**
 * Web mode only: an image location typed in the browser is opened by the server, so a
 * relative path ("images/a.cosi", "~/a.cosi") would resolve against the server's working
 * directory, not anything the person at the browser sees. Such requests are refused with a
 * message saying so; absolute paths, file:// and http(s)/oci URLs pass. Electron keeps local
 * paths as given (main and the window share a machine and a current directory).
 */
import path from 'node:path';
import { CosiflashError } from '../errors.ts';
import type { Channel } from '../ipc/contract.ts';

/** Channels whose payload `location` names an image the server will open. */
const LOCATION_CHANNELS: ReadonlySet<Channel> = new Set<Channel>(['image:inspect', 'flash:start', 'recent:add']);

/** True when `location` is a plain path that is not absolute (no URL scheme). */
export function isRelativeImagePath(location: string): boolean {
  const trimmed = location.trim();
  if (trimmed === '') return false;
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed)) return false;
  return !path.isAbsolute(trimmed);
}

/** The E_INPUT error for a web request whose image location is a relative path, or null. */
export function webLocationProblem(channel: Channel, payload: unknown): CosiflashError | null {
  if (!LOCATION_CHANNELS.has(channel) || typeof payload !== 'object' || payload === null) return null;
  const location = (payload as { location?: unknown }).location;
  if (typeof location !== 'string' || !isRelativeImagePath(location)) return null;
  const shown = location.trim().slice(0, 200);
  return new CosiflashError('E_INPUT', `"${shown}" is a relative path: in web mode it would resolve on the server (against its working directory), not on this computer.`, {
    title: 'Relative path refused',
    hint: 'Give the absolute path on the server (starting with /), a file:// URL, or an http(s):// or oci:// address.',
  });
}
