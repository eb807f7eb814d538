// Fails fast, with a readable message, when the tests would run on a Node.js whose built-in
// zstd decoder drops frames (docs/decisions.md: Node 22.23.5 and 24.21.0 decode only the first
// of several small frames that arrive in one chunk; 24.22.3 is correct).
import zlib from 'node:zlib';

const [major] = process.versions.node.split('.').map(Number);
if (major < 24 || typeof zlib.zstdCompressSync !== 'function') {
  console.error(`Node.js ${process.version} is too old: Cosiflash needs Node 24. Run \`npm ci\` (it installs the pinned Node into node_modules) and use npm scripts.`);
  process.exit(1);
}
const a = zlib.zstdCompressSync(Buffer.alloc(1000, 1));
const b = zlib.zstdCompressSync(Buffer.alloc(500, 2));
const decoded = await new Promise((resolve, reject) => {
  const parts = [];
  const d = zlib.createZstdDecompress();
  d.on('data', (c) => parts.push(c)).on('end', () => resolve(Buffer.concat(parts))).on('error', reject);
  d.end(Buffer.concat([a, b]));
});
if (decoded.length !== 1500) {
  console.error(`Node.js ${process.version} decodes concatenated zstd frames wrongly (${decoded.length} of 1500 bytes). Use the pinned Node from node_modules (npm ci).`);
  process.exit(1);
}
console.log(`Node.js ${process.version}: zstd multi-frame decoding OK`);
