/**
 * `--remote ADDRESS [--token-file FILE] [--tls-ca FILE]` of `flash` and `disks`: which station
 * to drive and how to authenticate. The token comes from --token-file or COSIFLASH_TOKEN.
 */
import { readFile } from 'node:fs/promises';
import { CosiflashError } from '../errors.ts';
import { parseGrpcAddress } from '../grpc/grpc-address.ts';
import type { RemoteOptions } from '../grpc/grpc-client.ts';

export const REMOTE_OPTIONS = {
  remote: { type: 'string' },
  'token-file': { type: 'string' },
  'tls-ca': { type: 'string' },
} as const;

export const REMOTE_HELP = `  --remote ADDR    Ask the station at ADDR (unix:/path or HOST:PORT) to do it over gRPC
  --token-file F   With --remote: the station's token (default: $COSIFLASH_TOKEN)
  --tls-ca FILE    With --remote: trust this CA (PEM) for the station's TLS certificate;
                   TCP uses TLS with it, or always for a non-loopback host`;

/** The raw --remote flags as parsed. */
export interface RemoteFlags {
  readonly address: string;
  readonly tokenFile: string | undefined;
  readonly tlsCa: string | undefined;
}

/** The flags, or undefined without --remote; E_INPUT for --token-file/--tls-ca alone. */
export function remoteFlags(command: string, values: { remote?: string; 'token-file'?: string; 'tls-ca'?: string }): RemoteFlags | undefined {
  if (values.remote === undefined) {
    if (values['token-file'] !== undefined || values['tls-ca'] !== undefined) throw new CosiflashError('E_INPUT', `${command}: --token-file and --tls-ca go with --remote ADDRESS.`);
    return undefined;
  }
  parseGrpcAddress(values.remote);
  return { address: values.remote, tokenFile: values['token-file'], tlsCa: values['tls-ca'] };
}

/** Reads the token and CA files; E_INPUT naming the file that cannot be read. */
export async function resolveRemote(flags: RemoteFlags, env: NodeJS.ProcessEnv = process.env): Promise<RemoteOptions> {
  const read = async (file: string, what: string): Promise<Buffer> => {
    try {
      return await readFile(file);
    } catch (error) {
      throw new CosiflashError('E_INPUT', `Cannot read the ${what} ${file}: ${(error as Error).message}`);
    }
  };
  const token = flags.tokenFile === undefined ? env['COSIFLASH_TOKEN'] : (await read(flags.tokenFile, 'token file')).toString('utf8').trim();
  if (flags.tokenFile !== undefined && token === '') throw new CosiflashError('E_INPUT', `The token file ${flags.tokenFile} is empty.`);
  return {
    address: parseGrpcAddress(flags.address),
    ...(token === undefined || token === '' ? {} : { token }),
    ...(flags.tlsCa === undefined ? {} : { tlsCaPem: await read(flags.tlsCa, 'CA certificate') }),
  };
}
