import { describe, expect, it } from 'vitest';
import { MAX_METADATA_BYTES, MAX_METADATA_JSON_DEPTH, MAX_METADATA_JSON_VALUES, parseMetadataJson } from '../../src/cosi/parse-metadata-json.ts';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf-8');

describe('parseMetadataJson', () => {
  it('parses a normal document the way JSON.parse does', () => {
    const text = JSON.stringify({ version: '1.2', osPackages: [{ name: 'a"b\\c', version: '1' }], disk: { size: 1024, x: [true, null, -1.5e3] } });
    expect(parseMetadataJson(bytes(` \n${text}\n`))).toEqual(JSON.parse(text));
    expect(parseMetadataJson(bytes('"just a string"'))).toBe('just a string');
  });

  it('rejects duplicate keys naming their JSON path', () => {
    expect(() => parseMetadataJson(bytes('{"version":"1.2","version":"1.3"}'))).toThrow(expect.objectContaining({ code: 'E_METADATA_INVALID', detail: expect.stringMatching(/^version: duplicate key "version"/) }));
    const nested = '{"disk":{"gptRegions":[{"image":{"path":"a"}},{"image":{"path":"b","pa\\u0074h":"c"}}]}}';
    expect(() => parseMetadataJson(bytes(nested))).toThrow(expect.objectContaining({ code: 'E_METADATA_INVALID', detail: expect.stringMatching(/^disk\.gptRegions\[1\]\.image\.path: duplicate key "path"/) }));
  });

  it('allows the same key in different objects', () => {
    expect(parseMetadataJson(bytes('[{"a":1},{"a":2},{"b":{"a":3}}]'))).toEqual([{ a: 1 }, { a: 2 }, { b: { a: 3 } }]);
  });

  it('rejects more bytes than the limit', () => {
    const big = bytes(`"${'x'.repeat(MAX_METADATA_BYTES)}"`);
    expect(() => parseMetadataJson(big)).toThrow(expect.objectContaining({ code: 'E_METADATA_INVALID', detail: expect.stringContaining(`${MAX_METADATA_BYTES}-byte limit`) }));
  });

  it('rejects a document of too many empty objects, under the byte limit', () => {
    const text = `[${Array.from({ length: MAX_METADATA_JSON_VALUES }, () => '{}').join(',')}]`;
    expect(text.length).toBeLessThan(MAX_METADATA_BYTES);
    expect(() => parseMetadataJson(bytes(text))).toThrow(expect.objectContaining({ code: 'E_METADATA_INVALID', detail: expect.stringContaining(`more than ${MAX_METADATA_JSON_VALUES} JSON values`) }));
  });

  it('rejects deep nesting without recursion', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(() => parseMetadataJson(bytes(deep))).toThrow(expect.objectContaining({ code: 'E_METADATA_INVALID', detail: expect.stringContaining(`nested more than ${MAX_METADATA_JSON_DEPTH} levels`) }));
  });

  it('leaves syntax errors to JSON.parse (E_METADATA_JSON) and checks UTF-8', () => {
    for (const text of ['{"a":1,}', '{"a" 1}', '[1 2]', '{"a":"unterminated', '', '{"a":tru}']) {
      expect(() => parseMetadataJson(bytes(text)), text).toThrow(expect.objectContaining({ code: 'E_METADATA_JSON' }));
    }
    expect(() => parseMetadataJson(Buffer.from([0x7b, 0xff, 0x7d]))).toThrow(expect.objectContaining({ code: 'E_METADATA_JSON', detail: 'metadata.json is not valid UTF-8' }));
  });
});
