/**
 * The setup the HTTP source tests share: random bytes at /image.cosi on the range server,
 * with faults and stats reset and every opened source closed after each test, so one test's
 * fault injection or open socket never leaks into the next.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { ImageSource } from '../../src/source/image-source.ts';
import { openSource, type OpenSourceOptions } from '../../src/source/open-source.ts';
import { startRangeServer, type RangeServer } from '../support/range-server.ts';
import { createSourceFixtures, type SourceFixtures } from './source-fixtures.ts';

/** What {@link serveRandomImage} sets up; read it inside tests (it exists once beforeAll ran). */
export interface ServedRandomImage {
  readonly server: RangeServer;
  /** The random bytes served at /image.cosi. */
  readonly content: Buffer;
  /** Opens `urlPath` (default /image.cosi) with the default options unless given; closed after the test. */
  open(options?: OpenSourceOptions, urlPath?: string): Promise<ImageSource>;
}

/**
 * Registers beforeAll/afterEach/afterAll for a describe block: a temp dir with `image.cosi` of
 * `sizeBytes` random bytes (plus whatever `addFiles` writes there) served by the range server.
 */
export function serveRandomImage(options: { sizeBytes: number; openOptions: OpenSourceOptions; addFiles?: (fixtures: SourceFixtures) => Promise<unknown> }): ServedRandomImage {
  let fixtures: SourceFixtures | undefined;
  let server: RangeServer | undefined;
  let content: Buffer | undefined;
  const opened: ImageSource[] = [];

  beforeAll(async () => {
    fixtures = await createSourceFixtures();
    ({ content } = await fixtures.randomFile('image.cosi', options.sizeBytes));
    await options.addFiles?.(fixtures);
    server = await startRangeServer({ root: fixtures.dir });
  });
  afterEach(async () => {
    server?.setFaults({});
    server?.resetStats();
    for (const source of opened.splice(0)) await source.close();
  });
  afterAll(async () => {
    await server?.close();
    await fixtures?.cleanup();
  });

  const served: ServedRandomImage = {
    get server(): RangeServer {
      if (server === undefined) throw new Error('serveRandomImage: the server starts in beforeAll');
      return server;
    },
    get content(): Buffer {
      if (content === undefined) throw new Error('serveRandomImage: the content is written in beforeAll');
      return content;
    },
    async open(openOptions = options.openOptions, urlPath = '/image.cosi') {
      const source = await openSource(served.server.url(urlPath), openOptions);
      opened.push(source);
      return source;
    },
  };
  return served;
}
