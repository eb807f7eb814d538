import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendPrivateFile, ensurePrivateDir, readPrivateFile, writePrivateFile } from '../../src/util/private-path.ts';
import { errorOf as thrownCosiflashError } from '../source/source-fixtures.ts';

const isRoot = process.getuid?.() === 0;
const NOBODY = { uid: 65534, gid: 65534, home: null };

describe('private files (config, recent images, reports, log)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cosiflash-private-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates missing folders 0700 and files 0600, atomically replaced', async () => {
    const file = path.join(dir, 'a', 'b', 'recent.json');
    await writePrivateFile(file, 'one\n', { owner: null });
    await writePrivateFile(file, 'two\n', { owner: null });
    expect(readFileSync(file, 'utf8')).toBe('two\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, 'a')).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dir, 'a', 'b')).mode & 0o777).toBe(0o700);
    expect(await readPrivateFile(path.join(dir, 'a', 'missing'), { owner: null })).toBeNull();
  });

  it('replaces a symlink planted as the file instead of writing through it', async () => {
    const victim = path.join(dir, 'victim');
    writeFileSync(victim, 'precious\n');
    const file = path.join(dir, 'report.json');
    symlinkSync(victim, file);
    await writePrivateFile(file, '{}\n', { owner: null });
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
  });

  it('never appends or reads through a symlink', async () => {
    const victim = path.join(dir, 'victim');
    writeFileSync(victim, 'precious\n');
    const file = path.join(dir, 'flash-log.jsonl');
    symlinkSync(victim, file);
    const appendError = await thrownCosiflashError(() => appendPrivateFile(file, 'line\n', { owner: null }));
    expect(appendError.code).toBe('E_PERMISSION');
    expect(appendError.message).toContain('symbolic link');
    expect((await thrownCosiflashError(() => readPrivateFile(file, { owner: null }))).code).toBe('E_PERMISSION');
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
  });

  it('refuses a symlink in place of the folder', async () => {
    const elsewhere = path.join(dir, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o700 });
    symlinkSync(elsewhere, path.join(dir, 'cosiflash'));
    const error = await thrownCosiflashError(() => writePrivateFile(path.join(dir, 'cosiflash', 'x.json'), '{}', { owner: null }));
    expect(error.code).toBe('E_PERMISSION');
    expect(error.message).toContain('not a folder');
  });

  it('refuses a folder that others can write', async () => {
    const open = path.join(dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const error = await thrownCosiflashError(() => ensurePrivateDir(path.join(open, 'cosiflash'), { owner: null }));
    expect(error.code).toBe('E_PERMISSION');
    expect(error.message).toContain('writable by group or others');
  });

  it.skipIf(!isRoot)('as root, refuses a folder planted by another user, and the files it would have written do not appear', async () => {
    const planted = path.join(dir, 'cosiflash');
    mkdirSync(planted, { mode: 0o700 });
    chownSync(planted, NOBODY.uid, NOBODY.gid);
    const error = await thrownCosiflashError(() => writePrivateFile(path.join(planted, 'recent.json'), '[]', { owner: null }));
    expect(error.code).toBe('E_PERMISSION');
    expect(error.message).toContain('belongs to uid 65534');
    const parent = path.join(dir, 'theirs');
    mkdirSync(parent, { mode: 0o755 });
    chownSync(parent, NOBODY.uid, NOBODY.gid);
    const below = await thrownCosiflashError(() => ensurePrivateDir(path.join(parent, 'cosiflash'), { owner: null }));
    expect(below.message).toContain(`${parent} belongs to uid 65534`);
  });

  it.skipIf(!isRoot)('as root for an invoking user, new folders and files are theirs', async () => {
    const base = path.join(dir, 'home');
    mkdirSync(base, { mode: 0o755 });
    chownSync(base, NOBODY.uid, NOBODY.gid);
    const file = path.join(base, '.config', 'cosiflash', 'flash-log.jsonl');
    await appendPrivateFile(file, 'a\n', { owner: NOBODY });
    await appendPrivateFile(file, 'b\n', { owner: NOBODY });
    expect(readFileSync(file, 'utf8')).toBe('a\nb\n');
    for (const made of [file, path.dirname(file), path.dirname(path.dirname(file))]) expect(statSync(made).uid).toBe(NOBODY.uid);
    expect(await readPrivateFile(file, { owner: NOBODY })).toBe('a\nb\n');
  });
});
