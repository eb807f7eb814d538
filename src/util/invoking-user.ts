/**
 * Who an elevated process (sudo / pkexec) runs for: the files Cosiflash keeps for a person
 * (config, log, cache) must stay theirs, not root's.
 */
import { readFileSync } from 'node:fs';

/** The user behind an elevated process (sudo / pkexec), whose files the log must stay. */
export interface InvokingUser {
  readonly uid: number;
  readonly gid: number;
  readonly home: string | null;
}

/**
 * The real user when this process runs as root on someone's behalf (SUDO_UID, PKEXEC_UID),
 * else null (files we create are already theirs).
 */
export function invokingUser(env: NodeJS.ProcessEnv = process.env, passwdFile = '/etc/passwd'): InvokingUser | null {
  if (process.getuid?.() !== 0) return null;
  const raw = env['SUDO_UID'] ?? env['PKEXEC_UID'];
  if (raw === undefined || !/^\d+$/.test(raw) || Number(raw) === 0) return null;
  const uid = Number(raw);
  let gid = env['SUDO_UID'] !== undefined && env['SUDO_GID'] !== undefined && /^\d+$/.test(env['SUDO_GID']) ? Number(env['SUDO_GID']) : null;
  let home: string | null = null;
  try {
    for (const line of readFileSync(passwdFile, 'utf8').split('\n')) {
      const fields = line.split(':');
      if (fields.length >= 7 && fields[2] === String(uid)) {
        gid ??= Number(fields[3]);
        home = fields[5] || null;
        break;
      }
    }
  } catch {
    // No passwd file: keep the uid, use root's config dir.
  }
  return { uid, gid: gid ?? uid, home };
}
