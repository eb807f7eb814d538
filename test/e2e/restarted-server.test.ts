/**
 * End to end: a page whose server restarted (same port, new token) says so and points at the
 * new link, instead of "reconnecting…" forever.
 */
import net from 'node:net';
import { describeRootOnly, itRootOnly, attachLoop } from '../support/loop-device.ts';
import { openBrowser } from './browser-session.ts';
import { ensureRendererBuilt, startServe } from './serve-process.ts';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describeRootOnly('e2e: restarted server', () => {
  itRootOnly('a page with the old token says the server restarted', async () => {
    await ensureRendererBuilt();
    const loop = await attachLoop({ sizeBytes: 8 * 1024 * 1024 });
    const port = await freePort();
    const browser = await openBrowser();
    try {
      const first = await startServe({ onlyDevices: [loop.device], allowLoop: true, extraArgs: ['--port', String(port)] });
      await browser.page.goto(first.url);
      await browser.page.getByRole('heading', { name: 'Choose an image' }).waitFor();
      await first.stop();
      const second = await startServe({ onlyDevices: [loop.device], allowLoop: true, extraArgs: ['--port', String(port)] });
      try {
        await browser.page.getByText('if it restarted, open the new link it printed').waitFor({ timeout: 30_000 });
      } finally {
        await second.stop();
      }
    } finally {
      await browser.close();
      await loop.detach();
    }
  });
});
