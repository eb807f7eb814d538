import { fdatasync, read, write } from 'node:fs';

/**
 * Positional I/O on raw file descriptors that never stops short: the kernel may write or
 * read fewer bytes than asked (signals, device limits), so loop until the range is done.
 * Works with a bare fd so worker threads can share the writer's descriptors.
 */
export function writeFully(fd: number, data: Uint8Array, positionBytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = 0;
    const step = (): void => {
      write(fd, data, done, data.byteLength - done, positionBytes + done, (error, written) => {
        if (error) return reject(error);
        if (written === 0) return reject(Object.assign(new Error('write returned 0 bytes'), { code: 'EIO' }));
        done += written;
        if (done < data.byteLength) step();
        else resolve();
      });
    };
    if (data.byteLength === 0) resolve();
    else step();
  });
}

/** Reads exactly `into.byteLength` bytes at `positionBytes`; a short device is an EIO error. */
export function readFully(fd: number, into: Uint8Array, positionBytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = 0;
    const step = (): void => {
      read(fd, into, done, into.byteLength - done, positionBytes + done, (error, count) => {
        if (error) return reject(error);
        if (count === 0) return reject(Object.assign(new Error(`end of device at ${positionBytes + done}`), { code: 'EIO' }));
        done += count;
        if (done < into.byteLength) step();
        else resolve();
      });
    };
    if (into.byteLength === 0) resolve();
    else step();
  });
}

/** fdatasync as a promise (flushes the device's write cache for block devices). */
export function syncData(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));
}
