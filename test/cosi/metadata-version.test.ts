import { describe, expect, it } from 'vitest';
import { invalid, mutatedSample, outcome } from '../support/metadata-samples.ts';

const unsupported = (detail: string) => ({ accepted: false, code: 'E_UNSUPPORTED_VERSION', detail });
const TOO_OLD = 'has no disk layout; writing a disk needs COSI 1.2 or newer (1.2 added the "disk" object)';

describe('version', () => {
  it.each([
    ['missing', undefined, invalid('version: is required (a string "MAJOR.MINOR", e.g. "1.2") but missing')],
    ['a number', 1.2, invalid('version: must be a string "MAJOR.MINOR" (e.g. "1.2"), got the number 1.2')],
    ['null', null, invalid('version: must be a string "MAJOR.MINOR" (e.g. "1.2"), got null')],
    ['only a major', '1', invalid('version: must have the form MAJOR.MINOR (e.g. "1.2"), got "1"')],
    ['three parts', '1.2.0', invalid('version: must have the form MAJOR.MINOR (e.g. "1.2"), got "1.2.0"')],
    ['a v prefix', 'v1.2', invalid('version: must have the form MAJOR.MINOR (e.g. "1.2"), got "v1.2"')],
    ['words', 'abcd.efgh', invalid('version: must have the form MAJOR.MINOR (e.g. "1.2"), got "abcd.efgh"')],
    ['1.0', '1.0', unsupported(`version: COSI 1.0 ${TOO_OLD}`)],
    ['1.1', '1.1', unsupported(`version: COSI 1.1 ${TOO_OLD}`)],
    ['major 2', '2.0', unsupported('version: COSI 2.0 is not supported; Cosiflash reads COSI 1.x from 1.2 on (major version 1)')],
    ['major 0', '0.9', unsupported('version: COSI 0.9 is not supported; Cosiflash reads COSI 1.x from 1.2 on (major version 1)')],
  ])('%s', (_name, version, expected) => {
    expect(outcome(mutatedSample((d) => { d.version = version; }))).toEqual(expected);
  });

  it('accepts a newer 1.x minor with a warning', () => {
    expect(outcome(mutatedSample((d) => { d.version = '1.3'; d.id = '3f2504e0-4f89-41d3-9a0c-0305e82c3301'; }))).toEqual({
      accepted: true,
      warnings: ['version: COSI 1.3 is newer than 1.2; it is read with the 1.2 rules and fields added later are ignored'],
    });
  });

  it('accepts leading zeros as numbers, like Trident ("01.02" is 1.2)', () => {
    expect(outcome(mutatedSample((d) => { d.version = '01.02'; })).accepted).toBe(true);
  });
});

describe('root', () => {
  it.each([
    ['an array', [], 'metadata.json: must hold a JSON object, got an array'],
    ['null', null, 'metadata.json: must hold a JSON object, got null'],
    ['a string', '{}', 'metadata.json: must hold a JSON object, got the string "{}"'],
    ['a number', 12, 'metadata.json: must hold a JSON object, got the number 12'],
  ])('rejects %s', (_name, json, detail) => {
    expect(outcome(json)).toEqual(invalid(detail));
  });
});
