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
const { traceProcessStart, traceStartup } = await import('../src/util/startup-trace.ts');
traceProcessStart('cli');
traceStartup('cli', `compile cache ${cacheDir ?? 'off'}`);
const { main } = await import('../src/cli/main.ts');
traceStartup('cli', 'main loaded');
process.exitCode = await main(process.argv.slice(2));
