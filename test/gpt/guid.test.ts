import { describe, expect, it } from 'vitest';
import { CosiflashError } from '../../src/errors.ts';
import { guidFromBytes, isGuid, ZERO_GUID } from '../../src/gpt/guid.ts';
import { guidToBytes } from './guid-to-bytes.ts';

// The EFI System Partition type as stored on disk (UEFI 2.10 §5.3.3): the first three fields little-endian.
const ESP = 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b';
const ESP_BYTES = Uint8Array.from([0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b]);

describe('GUID conversion', () => {
  it('decodes the mixed-endian on-disk form to a lowercase canonical string', () => {
    expect(guidFromBytes(ESP_BYTES)).toBe(ESP);
    const padded = new Uint8Array(20);
    padded.set(ESP_BYTES, 3);
    expect(guidFromBytes(padded, 3)).toBe(ESP);
    expect(guidFromBytes(new Uint8Array(16))).toBe(ZERO_GUID);
  });

  it('encodes any case to the on-disk bytes', () => {
    expect(Array.from(guidToBytes(ESP.toUpperCase()))).toEqual(Array.from(ESP_BYTES));
  });

  it('round-trips strings and bytes', () => {
    for (const guid of [ESP, '4f68bce3-e8cd-4db1-96e7-fbcaf984b709', 'ffffffff-ffff-ffff-ffff-ffffffffffff', ZERO_GUID, '01234567-89ab-cdef-0123-456789abcdef']) {
      expect(guidFromBytes(guidToBytes(guid))).toBe(guid);
      expect(guidFromBytes(guidToBytes(guid.toUpperCase()))).toBe(guid);
    }
    const bytes = Uint8Array.from({ length: 16 }, (_, i) => (i * 37 + 11) & 0xff);
    expect(Array.from(guidToBytes(guidFromBytes(bytes)))).toEqual(Array.from(bytes));
  });

  it('validates the string form', () => {
    expect(isGuid(ESP)).toBe(true);
    expect(isGuid(ESP.toUpperCase())).toBe(true);
    for (const bad of ['', 'c12a7328f81f11d2ba4b00a0c93ec93b', '{c12a7328-f81f-11d2-ba4b-00a0c93ec93b}', 'c12a7328-f81f-11d2-ba4b-00a0c93ec93', 'g12a7328-f81f-11d2-ba4b-00a0c93ec93b', ` ${ESP}`]) {
      expect(isGuid(bad)).toBe(false);
      expect(() => guidToBytes(bad)).toThrow(CosiflashError);
    }
  });

  it('refuses to read past the end of a buffer', () => {
    expect(() => guidFromBytes(new Uint8Array(15))).toThrow(CosiflashError);
  });
});
