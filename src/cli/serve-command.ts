/**
 * `cosiflash serve`: the app UI in a browser (web mode). Serves dist/renderer and the IPC
 * contract over a WebSocket on 127.0.0.1, printing the URL with its one-time token. This is
 * how the real UI is tested in Chromium and how a headless bench station is driven.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_GRPC_SOCKET, parseGrpcAddress } from '../grpc/grpc-address.ts';
import type { RunningGrpcServer } from '../grpc/grpc-server.ts';
import { CosiflashError } from '../errors.ts';
import { parseExpectedHash } from '../cosi/image-hash.ts';
import { createHandlers } from '../service/create-handlers.ts';
import { loadCoreServices } from '../service/core-services.ts';
import { cacheSetting } from '../service/cache-setting.ts';
import { configDir } from '../service/config-dir.ts';
import { parseSizeBytes } from '../cache/parse-size.ts';
import { loadOrCreateToken } from '../web/token-file.ts';
import { startWebServer } from '../web/web-server.ts';
import { EXIT_CODES } from './exit-codes.ts';

const HELP = `Usage: cosiflash serve [options]

Serves the Cosiflash UI at http://127.0.0.1:PORT/?token=… (open the printed URL).

Options:
  --port N          Port to listen on (default: a free one)
  --host HOST       Interface to bind (default 127.0.0.1; loopback only unless --allow-remote)
  --allow-remote    Allow a non-loopback --host. The token is then the only protection and
                    travels unencrypted: use it only on a trusted bench network.
  --only DEV        Offer only this device (repeatable, or comma-separated)
  --allow-loop      Offer loop/virtual devices (test benches)
  --static-dir DIR  Serve the UI from DIR (default: dist/renderer of this installation)
  --image URL       Station mode: pin this image; the UI opens on it, already inspected
  --hash HASH       The pinned image's expected hash (sha384:<hex>); refused otherwise
  --auto-flash      Arm the station: each eligible disk plugged in after start (removable,
                    or listed with --only) is flashed after a 5-second countdown, no click
  --token-file FILE Keep the access token in FILE (created 0600 when missing), so a
                    bookmarked link survives restarts (use with a fixed --port)
  --log FILE        Append each flash's log line to FILE (default: <config dir>/flash-log.jsonl)
  --station NAME    Station name in reports and the log (default: the host name)
  --operator NAME   Operator recorded in the log
  --grpc ADDRESS    Also serve the gRPC API (Trident's StreamingService/VersionService and
                    cosiflash.v1.StationService) on unix:/path or HOST:PORT; "default" means
                    unix:${DEFAULT_GRPC_SOCKET} (mode 0600). TCP is loopback only unless --allow-remote.
  --no-web          Serve only gRPC (no web UI)
  --tls-cert FILE   PEM certificate for gRPC over TCP (required with --allow-remote)
  --tls-key FILE    PEM private key for it
  --token TOKEN     Bearer token gRPC callers must send (default: $COSIFLASH_GRPC_TOKEN)
  --no-cache        Do not keep flashed http(s) images in the verified image cache (on by
                    default; also "imageCache": false in <config dir>/settings.json)
  --cache-max SIZE  Cap of the image cache, e.g. 20G (default: the smaller of 20 GiB and a
                    quarter of the free space)
  -h, --help        Show this help

Stop with Ctrl-C; running flashes are cancelled.`;

const DEFAULT_STATIC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/renderer');

export async function runServe(args: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'allow-remote': { type: 'boolean' },
        only: { type: 'string', multiple: true },
        'allow-loop': { type: 'boolean' },
        'static-dir': { type: 'string' },
        image: { type: 'string' },
        hash: { type: 'string' },
        'auto-flash': { type: 'boolean' },
        'token-file': { type: 'string' },
        log: { type: 'string' },
        station: { type: 'string' },
        operator: { type: 'string' },
        grpc: { type: 'string' },
        'no-web': { type: 'boolean' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        token: { type: 'string' },
        'no-cache': { type: 'boolean' },
        'cache-max': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`cosiflash serve: ${(error as Error).message}\n\n${HELP}\n`);
    return EXIT_CODES.usage;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT_CODES.ok;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CosiflashError('E_INPUT', `--port must be a number from 0 to 65535, not "${values.port}".`);
  const onlyDevices = (values.only ?? []).flatMap((item) => item.split(',')).map((item) => item.trim()).filter(Boolean);

  if (values['auto-flash'] === true && values.image === undefined) throw new CosiflashError('E_INPUT', 'serve: --auto-flash needs --image URL (the image every new disk gets).');
  if (values.hash !== undefined && values.image === undefined) throw new CosiflashError('E_INPUT', 'serve: --hash goes with --image.');
  const expectedHash = values.hash === undefined ? undefined : parseExpectedHash(values.hash);
  const pinnedLocation = values.image === undefined ? undefined : /^[a-z][a-z0-9+.-]*:\/\//i.test(values.image) ? values.image : path.resolve(values.image);
  const token = values['token-file'] === undefined ? undefined : await loadOrCreateToken(path.resolve(values['token-file']));

  const cache = cacheSetting(configDir(), {
    ...(values['no-cache'] === true ? { enabled: false } : {}),
    ...(values['cache-max'] === undefined ? {} : { maxBytes: parseSizeBytes(values['cache-max'], 'serve: --cache-max') }),
  });
  const runtime = createHandlers({
    mode: 'web',
    // The core operations, imported once (src/service/core-services.ts) and passed in.
    core: loadCoreServices(),
    cache,
    allowLoop: values['allow-loop'] ?? false,
    ...(onlyDevices.length > 0 ? { onlyDevices } : {}),
    ...(values.log === undefined ? {} : { flashLogFile: path.resolve(values.log) }),
    ...(values.station === undefined ? {} : { station: values.station }),
    ...(values.operator === undefined ? {} : { operator: values.operator }),
    ...(pinnedLocation === undefined ? {} : { pinnedImage: { location: pinnedLocation, ...(expectedHash === undefined ? {} : { expectedHash }), autoFlash: values['auto-flash'] ?? false } }),
  });
  // A pinned image is inspected before the URL is printed: a bad one stops here (exit 3).
  await runtime.start();
  let grpcServer: RunningGrpcServer | null = null;
  if (values.grpc !== undefined) {
    const { startGrpcServer } = await import('../grpc/grpc-server.ts');
    const address = parseGrpcAddress(values.grpc === 'default' ? `unix:${DEFAULT_GRPC_SOCKET}` : values.grpc);
    if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw new CosiflashError('E_INPUT', '--tls-cert and --tls-key go together.');
    const grpcToken = values.token ?? process.env.COSIFLASH_GRPC_TOKEN;
    grpcServer = await startGrpcServer({
      address,
      policy: { allowLoop: values['allow-loop'] ?? false, ...(onlyDevices.length > 0 ? { onlyDevices } : {}) },
      runtime,
      allowRemote: values['allow-remote'] ?? false,
      ...(values['tls-cert'] === undefined || values['tls-key'] === undefined ? {} : { tls: { certPem: readFileSync(values['tls-cert']), keyPem: readFileSync(values['tls-key']) } }),
      ...(grpcToken === undefined || grpcToken === '' ? {} : { token: grpcToken }),
    });
    process.stdout.write(`Cosiflash gRPC: ${grpcServer.target}\n`);
  }
  const server = values['no-web'] === true ? null : await startWebServer({
    handlers: runtime.handlers,
    events: runtime.events,
    staticDir: path.resolve(values['static-dir'] ?? DEFAULT_STATIC_DIR),
    ...(values.host === undefined ? {} : { host: values.host }),
    port,
    allowRemote: values['allow-remote'] ?? false,
    ...(token === undefined ? {} : { token }),
  });
  if (server !== null) process.stdout.write(`Cosiflash web UI: ${server.url}\n`);
  if (onlyDevices.length > 0) process.stdout.write(`Offering only: ${onlyDevices.join(', ')}\n`);
  if (pinnedLocation !== undefined) process.stdout.write(`Station image: ${pinnedLocation}\n`);
  if (values['auto-flash'] === true) process.stdout.write('Auto-flash armed: eligible disks plugged in from now on are flashed after a 5-second countdown.\n');
  process.stdout.write('Press Ctrl-C to stop.\n');

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.stdout.write('Stopping…\n');
  await runtime.dispose();
  await server?.close();
  await grpcServer?.close();
  return EXIT_CODES.ok;
}
