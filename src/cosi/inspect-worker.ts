/**
 * Worker-thread entry of {@link inspectInWorker}: opens the image, inspects it, posts one
 * {@link InspectWorkerReply} and waits to be terminated. Runs under the resource limits the
 * parent sets, so a hostile image can exhaust only this thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toAppError } from '../errors.ts';
import { openSource } from '../source/open-source.ts';
import { inspectCosi } from './inspect-cosi.ts';
import type { InspectWorkerReply, InspectWorkerRequest } from './inspect-in-worker.ts';

if (parentPort === null) throw new Error('inspect-worker must run in a worker thread');
const port = parentPort;
const request = workerData as InspectWorkerRequest;

async function run(): Promise<InspectWorkerReply> {
  try {
    const source = await openSource(request.location, request.sourceOptions);
    try {
      const { layout } = await inspectCosi(source, request.expectedHash === undefined ? {} : { expectedHash: request.expectedHash });
      return { ok: true, value: { layout, source: { location: source.location, kind: source.kind, sizeBytes: source.sizeBytes, localPath: source.localPath } } };
    } finally {
      await source.close();
    }
  } catch (error) {
    return { ok: false, error: toAppError(error) };
  }
}

port.postMessage(await run());
