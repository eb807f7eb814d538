/**
 * Entry of the writer process: `node src/writer/writer-main.ts --token <hex>` (or Electron's
 * binary with ELECTRON_RUN_AS_NODE=1, possibly through pkexec). Turns on Node's compile cache,
 * only in a folder no other user can write (root: root's own, src/util/enable-private-compile-cache.js),
 * then loads the writer itself (src/writer/writer-process.ts), so every module it loads is cached.
 * The parent cannot choose the folder: spawn-writer.ts drops NODE_COMPILE_CACHE, pkexec clears the
 * environment, and as root the folder comes from the password database, not from $HOME.
 */
import { enablePrivateCompileCache } from '../util/enable-private-compile-cache.js';
import { traceProcessStart, traceStartup } from '../util/startup-trace.ts';

traceProcessStart('writer');
traceStartup('writer', `compile cache ${enablePrivateCompileCache() ?? 'off'}`);
await import('./writer-process.ts');
