import { describe, expect, it } from 'vitest';
import { createLineSplitter, encodeMessage, parseFromWriter, parseToWriter } from '../../src/writer/writer-protocol.ts';

const token = 'a'.repeat(64);
const request = { source: 'http://127.0.0.1/x.cosi', verify: true, unmount: false, allowLoop: false };

describe('writer protocol', () => {
  it('round-trips a start message and checks the token', () => {
    const line = encodeMessage({ type: 'start', token, jobId: 'job-1', request }).trim();
    expect(parseToWriter(line, token)).toEqual({ type: 'start', token, jobId: 'job-1', request });
    expect(parseToWriter(line, 'b'.repeat(64))).toBeNull();
  });

  it('rejects malformed requests and unknown types', () => {
    expect(parseToWriter(JSON.stringify({ type: 'start', token, jobId: 'j', request: { ...request, verify: 'yes' } }), token)).toBeNull();
    // More targets without the first one: no disk is written on a malformed request (test/common/flash-request-check.test.ts has the rules).
    expect(parseToWriter(JSON.stringify({ type: 'start', token, jobId: 'j', request: { ...request, moreTargets: [{ device: '/dev/sdc', confirmedDisk: { device: '/dev/sdc', sizeBytes: 1, logicalSectorBytes: 512, diskseq: null, majMin: null, serial: null, model: null } }] } }), token)).toBeNull();
    expect(parseToWriter(JSON.stringify({ type: 'start', token, jobId: 'j', request: { ...request, cache: { dir: 'relative', maxBytes: null } } }), token)).toBeNull();
    expect(parseToWriter(JSON.stringify({ type: 'format-disk', token }), token)).toBeNull();
    expect(parseToWriter('not json', token)).toBeNull();
    expect(parseToWriter('[1,2]', token)).toBeNull();
  });

  it('validates writer messages', () => {
    const error = { code: 'E_WRITE', title: 't', detail: 'd' };
    expect(parseFromWriter(JSON.stringify({ type: 'error', token, error }), token)).toEqual({ type: 'error', token, error });
    expect(parseFromWriter(JSON.stringify({ type: 'error', token, error: { code: 1 } }), token)).toBeNull();
    expect(parseFromWriter(JSON.stringify({ type: 'progress', token, event: { type: 'retry', jobId: 'j', attempt: 1, offsetBytes: 0, reason: 'x' } }), token)?.type).toBe('progress');
    expect(parseFromWriter(JSON.stringify({ type: 'progress', token, event: { type: 'nope', jobId: 'j' } }), token)).toBeNull();
    expect(parseFromWriter(JSON.stringify({ type: 'heartbeat', token: 'x' }), token)).toBeNull();
  });

  it('validates the writer\'s answer to prepare (its inspection, or why it failed)', () => {
    const inspected = { layout: { imageHash: 'sha384:ab', partitions: [], disk: { sizeBytes: 1, lbaSize: 512, guid: 'g' } }, source: { location: '/a.cosi', kind: 'file', sizeBytes: 10, localPath: '/a.cosi' } };
    expect(parseFromWriter(JSON.stringify({ type: 'prepared', token, inspected }), token)).toEqual({ type: 'prepared', token, inspected });
    const error = { code: 'E_NOT_COSI', title: 't', detail: 'd' };
    expect(parseFromWriter(JSON.stringify({ type: 'prepared', token, error }), token)).toEqual({ type: 'prepared', token, error });
    expect(parseFromWriter(JSON.stringify({ type: 'prepared', token, inspected: { layout: inspected.layout } }), token)).toBeNull();
    expect(parseFromWriter(JSON.stringify({ type: 'prepared', token, inspected: { ...inspected, source: { ...inspected.source, localPath: 3 } } }), token)).toBeNull();
    expect(parseFromWriter(JSON.stringify({ type: 'prepared', token: 'x', inspected }), token)).toBeNull();
  });

  it('splits lines across chunk boundaries, including split UTF-8 characters', () => {
    const lines: string[] = [];
    const split = createLineSplitter((line) => lines.push(line));
    const bytes = Buffer.from('{"a":"é"}\n{"b":2}\n{"c"');
    split(bytes.subarray(0, 7));
    split(bytes.subarray(7));
    split(Buffer.from(':3}\n'));
    expect(lines).toEqual(['{"a":"é"}', '{"b":2}', '{"c":3}']);
  });
});
