/**
 * The real `cosiflash` CLI against hostile images (issues 7 §4 and 9 §4): each is refused in
 * bounded time (the per-test timeout) with exit 3 and its specific code — never exit 1 — and
 * text from the image never reaches the terminal raw.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCosiFixture } from '../support/cosi-fixtures.ts';
import { renameGptEntry } from '../support/gpt-edit.ts';
import { base256SizeField, TAR_END, tarEntry, ustarHeader } from '../support/tar-craft.ts';
import { runCli } from './run-cli.ts';

const BOUND_MS = 5000;
const ESC = '\x1b';
const CURSOR_TRICK = `${ESC}[1A${ESC}[2K\rTarget  /dev/sdz`;

describe('cosiflash inspect on hostile images (real process)', () => {
  let dir: string;
  const file = (name: string): string => path.join(dir, name);
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hostile-cli-'));
    const start = tarEntry('cosi-marker', Buffer.alloc(0));
    await writeFile(file('negative-pax.cosi'), Buffer.concat([start, ustarHeader('loop', 0, 'x', { sizeField: base256SizeField(-512n) }), TAR_END]));
    await writeFile(file('nan-size.cosi'), Buffer.concat([start, ustarHeader('nan', 0, 'L', { sizeField: Buffer.from('zzzzzzzzzzz\0') }), TAR_END]));
    await writeFile(file('escape-name.cosi'), Buffer.concat([start, tarEntry(`x${ESC}[2J`, Buffer.from('1')), tarEntry(`x${ESC}[2J`, Buffer.from('2')), TAR_END]));
    const handle = await open(file('huge-pax.cosi'), 'w');
    try {
      await handle.write(Buffer.concat([start, ustarHeader('huge', 1024 ** 3, 'x')]), 0, undefined, 0);
      await handle.truncate(1024 ** 3 + 16 * 1024);
    } finally {
      await handle.close();
    }
    execFileSync('mkfifo', [file('image.fifo')]);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  const cases: [string, string, string, RegExp][] = [
    ['a PAX header with a base-256 size of -512 (looped forever)', 'negative-pax.cosi', 'E_TAR_INVALID', /negative size/],
    ['a GNU long-name header whose size is not a number', 'nan-size.cosi', 'E_TAR_INVALID', /not a number/],
    ['a 1 GiB PAX header in a sparse file', 'huge-pax.cosi', 'E_TAR_INVALID', /1073741824-byte body, more than the 1048576-byte limit/],
    ['a named pipe (hung forever)', 'image.fifo', 'E_FILE_TYPE', /named pipe/],
  ];
  for (const [name, fileName, code, detail] of cases) {
    it(`${name}: exit 3 with ${code}`, { timeout: BOUND_MS + 5000 }, async () => {
      const result = await runCli(['inspect', file(fileName)]);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(`cosiflash inspect: ${code}:`);
      expect(result.stderr).toMatch(detail);
      expect(result.stdout).toBe('');
    });
  }

  it('escapes control characters of tar entry names in the error message', async () => {
    const result = await runCli(['inspect', file('escape-name.cosi')]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('duplicate entry "x\\x1b[2J"');
    expect(result.stderr).not.toContain(ESC);
  });

  it('escapes os-release and GPT partition names in the summary', async () => {
    const fixture = await buildCosiFixture({}, {
      editMetadata: (metadata) => {
        metadata.osRelease = `PRETTY_NAME="Evil OS${ESC}[1A${ESC}[2KTarget  /dev/sdz"\nID=evil\n`;
      },
      editPrimaryGpt: (gpt, { lbaSize }) => renameGptEntry(gpt, lbaSize, 1, `esp${CURSOR_TRICK}`),
    });
    const result = await runCli(['inspect', fixture.cosiPath]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain(ESC);
    expect(result.stdout).not.toContain('\r');
    expect(result.stdout).toContain('Evil OS\\x1b[1A\\x1b[2KTarget  /dev/sdz');
    expect(result.stdout).toContain('esp\\x1b[1A\\x1b[2K\\x0dTarget');
    expect(result.stdout.split('\n').filter((line) => line.startsWith('Target'))).toEqual([]);
  });
});
