/**
 * How Electron main starts the writer process: Electron's own binary running as plain Node
 * (ELECTRON_RUN_AS_NODE=1) on the bundled writer entry. The writer must live outside the
 * asar archive (electron-builder asarUnpack) because pkexec and worker threads need real
 * files. spawnWriter decides about pkexec (Linux, not root, device not writable).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { WriterLaunch } from '../src/service/core-services.ts';

/** The path of a file bundled next to main, redirected out of app.asar when packaged. */
export function unpackedPath(file: string): string {
  const marker = `${path.sep}app.asar${path.sep}`;
  return file.includes(marker) ? file.replace(marker, `${path.sep}app.asar.unpacked${path.sep}`) : file;
}

/**
 * The packaged Linux app ships `resources/cosiflash-writer`, the launcher its polkit action
 * (packaging/linux/dev.cosiflash.writer.policy) names, so the pkexec prompt says "Cosiflash".
 */
export function elevatedLauncherPath(resourcesPath: string | undefined, platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform !== 'linux' || resourcesPath === undefined) return undefined;
  const launcher = path.join(resourcesPath, 'cosiflash-writer');
  return existsSync(launcher) ? launcher : undefined;
}

export function electronWriterLaunch(options: { bundleDir: string; execPath?: string; env?: NodeJS.ProcessEnv; resourcesPath?: string }): WriterLaunch {
  const launcher = elevatedLauncherPath(options.resourcesPath);
  return {
    execPath: options.execPath ?? process.execPath,
    script: unpackedPath(path.join(options.bundleDir, 'writer-main.mjs')),
    env: { ...(options.env ?? process.env), ELECTRON_RUN_AS_NODE: '1' },
    ...(launcher === undefined ? {} : { elevatedLauncher: launcher }),
  };
}
