import { execFile } from 'node:child_process';
import path from 'node:path';
import { CosiflashError } from '../errors.ts';
import { findSystemTool, SYSTEM_TOOL_DIRS } from '../util/system-tool.ts';

/** How docker-credential-* programs are looked up. */
export interface HelperLookup {
  /**
   * Whether this process runs as root (default: uid 0). As root a helper is taken from the
   * system folders only, never from PATH: PATH belongs to whoever started us (sudo keeps a
   * user's, npx puts node_modules/.bin first) and a planted helper would run as root.
   */
  readonly root?: boolean;
  /** The system folders used as root (default /usr/sbin, /usr/bin, /sbin, /bin). */
  readonly systemDirs?: readonly string[];
  /** Give up on a helper that has not answered after this long. Default 30 000 ms. */
  readonly timeoutMs?: number;
}

export type HelperResult =
  | { readonly kind: 'found'; readonly username: string; readonly secret: string }
  | { readonly kind: 'none' }
  | { readonly kind: 'skipped'; readonly reason: string };

const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const MAX_OUTPUT_BYTES = 1024 * 1024;

/**
 * Runs `docker-credential-<name> get` with `serverUrl` on stdin (the docker credential helper
 * protocol) and returns its Username/Secret. "credentials not found" is `none`; a helper that
 * is not installed (or, as root, is only on PATH) is `skipped` with the reason; any other
 * failure is E_OCI_CREDENTIAL_HELPER with what the helper said.
 */
export async function runCredentialHelper(name: string, serverUrl: string, options: HelperLookup & { env?: NodeJS.ProcessEnv } = {}): Promise<HelperResult> {
  if (!HELPER_NAME.test(name)) return { kind: 'skipped', reason: `"${name}" is not a credential helper name` };
  const program = `docker-credential-${name}`;
  const env = options.env ?? process.env;
  const root = options.root ?? process.getuid?.() === 0;
  let executable: string | null;
  if (root) {
    executable = findSystemTool(program, options.systemDirs ?? SYSTEM_TOOL_DIRS);
    if (executable === null) {
      const onPath = findOnPath(program, env['PATH']);
      return {
        kind: 'skipped',
        reason: onPath === null
          ? `it is not installed in ${(options.systemDirs ?? SYSTEM_TOOL_DIRS).join(', ')}`
          : `running as root, helpers are taken from ${(options.systemDirs ?? SYSTEM_TOOL_DIRS).join(', ')} only, and ${onPath} is on PATH only (run Cosiflash as your user, or install the helper system-wide)`,
      };
    }
  } else {
    executable = findOnPath(program, env['PATH']);
    if (executable === null) return { kind: 'skipped', reason: 'it is not on PATH' };
  }
  const { code, stdout, stderr } = await new Promise<{ code: number | string | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(executable, ['get'], { env, timeout: options.timeoutMs ?? 30_000, maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8' }, (error, out, err) => {
      resolve({ code: error === null ? 0 : ((error as NodeJS.ErrnoException).code ?? 1), stdout: out, stderr: err });
    });
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(`${serverUrl}\n`);
  });
  const said = `${stdout} ${stderr}`.trim().replace(/\s+/g, ' ').slice(0, 300);
  if (code !== 0) {
    if (/credentials not found|not found in native keychain|no credentials/i.test(said)) return { kind: 'none' };
    throw new CosiflashError('E_OCI_CREDENTIAL_HELPER', `${executable} get failed for ${serverUrl} (${typeof code === 'number' ? `exit status ${code}` : code}): ${said === '' ? 'it printed nothing' : said}`);
  }
  let answer: unknown;
  try {
    answer = JSON.parse(stdout);
  } catch {
    throw new CosiflashError('E_OCI_CREDENTIAL_HELPER', `${executable} get answered for ${serverUrl} with something that is not JSON.`);
  }
  const { Username: username, Secret: secret } = (answer ?? {}) as { Username?: unknown; Secret?: unknown };
  if (typeof secret !== 'string' || secret === '') return { kind: 'none' };
  return { kind: 'found', username: typeof username === 'string' ? username : '', secret };
}

/** A program on PATH (absolute entries only), as a user's shell would find it. */
function findOnPath(program: string, pathEnv: string | undefined): string | null {
  return findSystemTool(program, (pathEnv ?? '').split(path.delimiter).filter((dir) => path.isAbsolute(dir)));
}
