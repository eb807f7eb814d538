/**
 * `cosiflash serve --token-file FILE`: the web token kept in a file, so a bookmarked link
 * (`http://127.0.0.1:PORT/?token=…`) keeps working after the server restarts. Created with a
 * fresh random token, mode 0600 (the token is the only key to the server), when missing.
 */
import { writeFile } from 'node:fs/promises';
import { CosiflashError } from '../errors.ts';
import { readPrivateFile } from '../util/private-path.ts';
import { createToken } from './web-auth.ts';

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,256}$/;

/** The token in `file`, or a new one written there (0600, never overwriting). */
export async function loadOrCreateToken(file: string): Promise<string> {
  // Not followed if it is a symlink, refused if it is someone else's; made 0600 if too open.
  const existing = await readPrivateFile(file);
  if (existing !== null) {
    const token = existing.trim();
    if (!TOKEN_PATTERN.test(token)) throw new CosiflashError('E_INPUT', `--token-file ${file} does not hold a token (32–256 characters of A–Z a–z 0–9 _ -); delete it to get a new one.`);
    return token;
  }
  const token = createToken();
  // O_CREAT|O_EXCL ('wx') never follows a symlink planted in the file's place.
  await writeFile(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return token;
}
