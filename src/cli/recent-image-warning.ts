/**
 * The CLI's warning line when `inspect` or `flash` opens a location the recent-images list
 * (the app's and web mode's, in the invoking user's config dir) knows with another image, or
 * whose image failed verification before. Read only: the CLI does not add entries.
 */
import { terminalText } from '../common/terminal-text.ts';
import { configDir } from '../service/config-dir.ts';
import { RecentImages, recentImageWarning } from '../service/recent-images.ts';

/** Writes `cosiflash: warning: …` to stderr when there is something to warn about; never fails. */
export async function warnAboutRecentImage(location: string, imageHash: string, options: { dir?: string } = {}): Promise<void> {
  try {
    const recent = new RecentImages({ dir: options.dir ?? configDir() });
    const warning = recentImageWarning(location, imageHash, await recent.check(location, imageHash));
    if (warning !== null) process.stderr.write(`cosiflash: warning: ${terminalText(warning)}\n`);
  } catch {
    // A convenience check: an unreadable list is no reason to stop.
  }
}
