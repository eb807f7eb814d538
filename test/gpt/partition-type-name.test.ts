import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isGuid } from '../../src/gpt/guid.ts';
import { PARTITION_TYPE_NAMES, partitionTypeName } from '../../src/gpt/partition-type-name.ts';

describe('partitionTypeName', () => {
  it('names the common types, case-insensitively', () => {
    expect(partitionTypeName('C12A7328-F81F-11D2-BA4B-00A0C93EC93B')).toBe('EFI System Partition');
    expect(partitionTypeName('c12a7328-f81f-11d2-ba4b-00a0c93ec93b')).toBe('EFI System Partition');
    expect(partitionTypeName('4F68BCE3-e8cd-4db1-96e7-fbcaf984b709')).toBe('Linux root (x86-64)');
    expect(partitionTypeName('b921b045-1df0-41c3-af44-4c6f280d3fae')).toBe('Linux root (AArch64)');
    expect(partitionTypeName('2c7357ed-ebd2-46d9-aec1-23d437ec2bf5')).toBe('Linux root verity (x86-64)');
    expect(partitionTypeName('0fc63daf-8483-4772-8e79-3d69d8477de4')).toBe('Linux filesystem data');
    expect(partitionTypeName('ebd0a0a2-b9e5-4433-87c0-68b6b72699c7')).toBe('Microsoft basic data');
  });

  it('answers "Unknown" for anything else', () => {
    expect(partitionTypeName('00000000-0000-0000-0000-000000000000')).toBe('Unknown');
    expect(partitionTypeName('01234567-89ab-cdef-0123-456789abcdef')).toBe('Unknown');
    expect(partitionTypeName('not a guid')).toBe('Unknown');
  });

  it('covers root, /usr, verity and verity signature for the five main architectures', () => {
    const names = new Set(PARTITION_TYPE_NAMES.values());
    for (const kind of ['root', '/usr', 'root verity', '/usr verity', 'root verity signature', '/usr verity signature']) {
      for (const arch of ['x86-64', 'AArch64', 'x86', 'ARM', 'RISC-V 64']) expect(names).toContain(`Linux ${kind} (${arch})`);
    }
  });

  it('has only well-formed lowercase GUIDs, each one known to util-linux with a matching kind', () => {
    const listing = execFileSync('sfdisk', ['--label', 'gpt', '--list-types'], { encoding: 'utf8' });
    const known = new Map<string, string>();
    for (const match of listing.matchAll(/^\s*([0-9A-Fa-f-]{36})\s+(.+)$/gm)) {
      if (match[1] !== undefined && match[2] !== undefined) known.set(match[1].toLowerCase(), match[2].trim());
    }
    expect(known.size).toBeGreaterThan(100);
    for (const [guid, name] of PARTITION_TYPE_NAMES) {
      expect(isGuid(guid) && guid === guid.toLowerCase(), guid).toBe(true);
      const theirs = known.get(guid);
      expect(theirs, `${guid} (${name}) is not in sfdisk's list`).toBeDefined();
      // Same architecture and same verity kind as util-linux says.
      const arch = /\(([^)]+)\)$/.exec(name)?.[1];
      if (arch !== undefined && /^Linux (root|\/usr)/.test(name)) {
        const theirArch = arch.replace('AArch64', 'ARM-64').replace('RISC-V 64', 'RISC-V-64');
        expect(theirs, name).toContain(`(${theirArch})`);
        expect(theirs?.includes('sign'), name).toBe(name.includes('signature'));
        expect(theirs?.includes('verity'), name).toBe(name.includes('verity'));
        expect(theirs?.includes('/usr'), name).toBe(name.includes('/usr'));
      }
    }
  });
});
