/**
 * Loads Cosiflash's own .proto files (proto/) at run time, so the server and the --remote client
 * share exactly the definitions that external clients (Python grpcio, Trident's tools) compile.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** The proto/ directory of the project (include root for trident/v1 and cosiflash/v1). */
export const PROTO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../proto');

const PROTO_FILES = ['trident/v1/streaming_service.proto', 'trident/v1/version_service.proto', 'cosiflash/v1/station_service.proto'];

/** Service constructors of the three services; loaded once per process. */
export interface LoadedProtos {
  readonly streamingService: grpc.ServiceClientConstructor;
  readonly versionService: grpc.ServiceClientConstructor;
  readonly stationService: grpc.ServiceClientConstructor;
}

let loaded: LoadedProtos | null = null;

/** Field names stay snake_case as on the wire; enums as their names; 64-bit numbers as JS numbers. */
export function loadProtos(): LoadedProtos {
  if (loaded !== null) return loaded;
  const definition = protoLoader.loadSync(PROTO_FILES, { includeDirs: [PROTO_DIR], keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true });
  const root = grpc.loadPackageDefinition(definition) as unknown as {
    trident: { v1: { StreamingService: grpc.ServiceClientConstructor; VersionService: grpc.ServiceClientConstructor } };
    cosiflash: { v1: { StationService: grpc.ServiceClientConstructor } };
  };
  loaded = { streamingService: root.trident.v1.StreamingService, versionService: root.trident.v1.VersionService, stationService: root.cosiflash.v1.StationService };
  return loaded;
}
