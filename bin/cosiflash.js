#!/usr/bin/env node
// Entry of the `cosiflash` command. The CLI is TypeScript run by Node 24's built-in type
// stripping, so there is no build step; older Node versions get a clear message instead.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(
    `cosiflash needs Node.js 24 or newer (this is ${process.version}).\n` +
      'Run it from the project with `npx cosiflash …` after `npm ci`: npm then uses the pinned Node 24 from node_modules.\n',
  );
  process.exit(2);
}
// Cache compiled (type-stripped) modules between runs, only in a folder no other user can write
// (src/util/enable-private-compile-cache.js, plain JavaScript so that it runs before any
// TypeScript is stripped), then load only cached TypeScript.
const { enablePrivateCompileCache } = await import('../src/util/enable-private-compile-cache.js');
const cacheDir = enablePrivateCompileCache();
// As root, code may come only from root's own cache: a NODE_COMPILE_CACHE kept by `sudo -E` (or
// env_keep) has already put Node's cache in the invoking user's folder before this line ran.
const { getCompileCacheDir } = await import('node:module');
if (process.getuid?.() === 0 && cacheDir === null && getCompileCacheDir() !== undefined) {
  process.stderr.write(
    `cosiflash: refusing to run as root with NODE_COMPILE_CACHE set (${process.env.NODE_COMPILE_CACHE ?? ''}): another user's cache could supply code.\n` +
      'Run it without that variable (sudo without -E, or `sudo env -u NODE_COMPILE_CACHE npx cosiflash …`).\n',
  );
  process.exit(2);
}
const { traceProcessStart, traceStartup } = await import('../src/util/startup-trace.ts');
traceProcessStart('cli');
traceStartup('cli', `compile cache ${cacheDir ?? 'off'}`);
const { main } = await import('../src/cli/main.ts');
traceStartup('cli', 'main loaded');
process.exitCode = await main(process.argv.slice(2));
