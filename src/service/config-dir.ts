/**
 * Where Cosiflash keeps per-user state (recent images, saved reports in web mode).
 *
 * XDG Base Directory spec on Linux ($XDG_CONFIG_HOME, default ~/.config), %APPDATA% on
 * Windows, ~/Library/Application Support on macOS; always a `cosiflash` subfolder.
 * `COSIFLASH_CONFIG_DIR` overrides it (tests, portable installs).
 */
import os from 'node:os';
import path from 'node:path';

export function configDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const override = env['COSIFLASH_CONFIG_DIR'];
  if (override) return path.resolve(override);
  const home = os.homedir();
  if (platform === 'win32') return path.join(env['APPDATA'] ?? path.join(home, 'AppData', 'Roaming'), 'cosiflash');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'cosiflash');
  const xdg = env['XDG_CONFIG_HOME'];
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.config'), 'cosiflash');
}
