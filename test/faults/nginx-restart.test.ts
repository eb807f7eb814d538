/**
 * Issue 9 §2 acceptance: a real nginx (Debian's nginx-light, started here on an ephemeral
 * 127.0.0.1 port) serving a fixture COSI is stopped mid-flash and started again 1 s, 3 s and
 * 10 s later; the CLI flash (default retry budget) resumes at the exact byte and completes
 * verified and byte-exact. nginx's limit_rate keeps the download running long enough to be
 * interrupted. The three run concurrently.
 */
import { describe, expect } from 'vitest';
import { EXIT_CODES } from '../../src/cli/exit-codes.ts';
import type { FlashReport } from '../../src/model/flash-progress.ts';
import { runCliFlash } from '../support/cli-flash-run.ts';
import { buildCosiFixture } from '../support/cosi-fixtures.ts';
import { expectFlashedLike } from '../support/flash-checks.ts';
import { isRoot, itRootOnly, ROOT_ONLY_REASON, withLoops } from '../support/loop-device.ts';
import { nginxSkipReason, startNginx } from '../support/nginx-server.ts';

const MiB = 1024 * 1024;
const FIXTURE = { partitions: [{ number: 1, name: 'esp', kind: 'esp' as const, sizeMiB: 8 }, { number: 2, name: 'data', kind: 'raw' as const, sizeMiB: 24 }] };
const skip = !isRoot() || nginxSkipReason() !== null;
const title = skip ? `faults: nginx restarted mid-flash (skipped: ${nginxSkipReason() ?? ROOT_ONLY_REASON})` : 'faults: nginx restarted mid-flash';

const writtenBytes = (line: Record<string, unknown>): number =>
  line.type === 'progress' && Array.isArray(line.regions) ? (line.regions as { writtenBytes: number }[]).reduce((sum, r) => sum + r.writtenBytes, 0) : 0;

describe.skipIf(skip).concurrent(title, () => {
  for (const downSeconds of [1, 3, 10]) {
    itRootOnly(`down ${downSeconds} s: the flash resumes and completes byte-exact`, async () => {
      const fixture = await buildCosiFixture(FIXTURE);
      const nginx = await startNginx({ files: { '/image.cosi': fixture.cosiPath } }, { limitRate: '4m' });
      try {
        await withLoops([{ sizeBytes: fixture.diskSizeBytes }], async ([loop]) => {
          const device = loop!.device;
          let restart: Promise<void> | null = null;
          let restartedAtBytes = 0;
          const run = await runCliFlash([nginx.url('image.cosi'), '--disk', device, '--allow-loop', '--only', device], {
            onLine: (line) => {
              if (restart !== null || writtenBytes(line) < 2 * MiB) return;
              restartedAtBytes = writtenBytes(line);
              restart = nginx.restart(downSeconds * 1000);
            },
          });
          await restart;
          expect(restart, `the restart happened mid-flash; CLI exit ${run.code}: ${run.stderr.slice(-600)}`).not.toBeNull();
          expect(restartedAtBytes).toBeLessThan(fixture.regions.reduce((sum, r) => sum + (r.type === 'partition' ? r.uncompressedSize : 0), 0));
          expect(run.code, run.stderr).toBe(EXIT_CODES.ok);
          const report = run.lines.find((l) => l.type === 'report')?.report as FlashReport | undefined;
          expect(report?.outcome).toBe('verified');
          const retries = run.lines.filter((l) => l.type === 'retry');
          expect(retries.length, 'the drop was retried').toBeGreaterThan(0);
          if (downSeconds >= 3) expect(retries.some((l) => l.unreachable === true), 'shown as "server unreachable, retrying"').toBe(true);
          await expectFlashedLike(device, fixture, { sameSize: true });
        });
      } finally {
        await nginx.close();
      }
    }, 300_000);
  }
});
