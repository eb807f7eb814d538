#!/usr/bin/env node
// The writer process of a checkout or an npm install (spawned by src/writer/spawn-writer.ts,
// never run by hand): turns on the compile cache from plain JavaScript before any TypeScript is
// stripped (src/util/enable-private-compile-cache.js), then runs src/writer/writer-main.ts.
// The packaged app runs its bundled dist-electron/writer-main.mjs instead.
import { enablePrivateCompileCache } from '../src/util/enable-private-compile-cache.js';

enablePrivateCompileCache();
await import('../src/writer/writer-main.ts');
