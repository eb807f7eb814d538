/**
 * Worker-thread entry of {@link inspectInWorker}: opens the image, inspects it, posts one
 * {@link InspectWorkerReply}, closes its port and ends by itself (its loop is empty once the source
 * is closed). Runs under the resource limits the parent sets, so a hostile image can exhaust only
 * this thread.
 *
 * No top-level await: a worker terminated while its module's async evaluation is still settling
 * can crash the whole parent process with a V8 check failure (seen once in CI as the test worker
 * dying with SIGTRAP; nodejs/node#43182 is the same check). The parent now terminates only a
 * worker that has not answered (time limit, cancel).
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

void run().then((reply) => {
  port.postMessage(reply);
  port.close();
});
