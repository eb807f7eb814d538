import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTool } from '../../src/disk/run-tool.ts';
import { findSystemTool } from '../../src/util/system-tool.ts';

describe('system tools by absolute path', () => {
  it('finds tools only in the system folders', () => {
    expect(findSystemTool('sh')).toMatch(/^\/(usr\/)?s?bin\/sh$/);
    expect(findSystemTool('no-such-tool-cosiflash')).toBeNull();
    expect(findSystemTool('../bin/sh')).toBeNull();
  });

  it('never runs a tool planted first on PATH', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cosiflash-path-'));
    const saved = process.env.PATH;
    try {
      const marker = path.join(dir, 'ran');
      await writeFile(path.join(dir, 'lsblk'), `#!/bin/sh\ntouch ${marker}\necho '{"blockdevices":[]}'\n`, { mode: 0o755 });
      process.env.PATH = `${dir}:${saved ?? ''}`;
      const out = await runTool('lsblk', ['--json', '--bytes', '-o', 'NAME', '--nodeps']);
      expect(JSON.parse(out)).toHaveProperty('blockdevices');
      expect(existsSync(marker)).toBe(false);
    } finally {
      process.env.PATH = saved;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
