/**
 * A seeded fuzzer of COSI tar and metadata (issue 9 §4–5): mutant `index` of a base image is a
 * pure function of (base, seed, index), so a failing mutant can be regenerated exactly. The
 * operators aim at what a tar/metadata reader must survive: header bytes, size fields (octal
 * garbage, negative and huge base-256, NaN), type flags, checksums, truncation, inserted PAX and
 * GNU long-name headers with hostile records, and metadata.json that is malformed, deeply
 * nested, huge in values, duplicated or full of control characters.
 */
import { createHash } from 'node:crypto';
import { base256SizeField, fixChecksum, padded, paxRecord, TAR_END, tarEntry, ustarHeader } from './tar-craft.ts';

interface Member {
  readonly headerOffset: number;
  readonly name: string;
  readonly data: Buffer;
}

/** mulberry32: small, fast and good enough to pick mutations. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The plain members of a ustar/GNU archive (enough for our own fixtures). */
export function tarMembers(tar: Buffer): Member[] {
  const members: Member[] = [];
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.subarray(0, 100).toString('latin1').replace(/\0.*$/s, '');
    const size = Number.parseInt(header.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
    members.push({ headerOffset: offset, name, data: tar.subarray(offset + 512, offset + 512 + size) });
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return members;
}

function rebuild(members: readonly { name: string; data: Buffer }[]): Buffer {
  return Buffer.concat([...members.map((m) => tarEntry(m.name, m.data)), TAR_END]);
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const int = (random: () => number, below: number): number => Math.floor(random() * below);

const SIZE_FIELDS: readonly ((random: () => number) => Buffer)[] = [
  () => base256SizeField(-512n),
  () => base256SizeField(-1n),
  () => base256SizeField(1n << 80n),
  () => base256SizeField(BigInt(Number.MAX_SAFE_INTEGER) + 1n),
  () => Buffer.from('zzzzzzzzzzz\0'),
  () => Buffer.from('           \0'),
  () => Buffer.from('\0\0\0\0\0\0\0\0\0\0\0\0'),
  () => Buffer.from('77777777777\0'),
  () => Buffer.from('-0000001000\0'),
  () => Buffer.from('1e10\0\0\0\0\0\0\0\0'),
  (random) => Buffer.from(`${int(random, 0o77777777777).toString(8).padStart(11, '0')}\0`),
  (random) => Buffer.from(Array.from({ length: 12 }, () => int(random, 256))),
];

const HOSTILE_PAX: readonly ((random: () => number) => string)[] = [
  () => paxRecord('size', '-512'),
  () => paxRecord('size', 'NaN'),
  () => paxRecord('size', '99999999999999999999999'),
  () => paxRecord('size', '1.5'),
  () => paxRecord('path', 'metadata.json'),
  () => paxRecord('path', '\u001b[2K\u001b[1ATarget /dev/sda'),
  () => '-5 a=b\n',
  () => '99 path=x\n',
  () => '9 pathx\n\n',
  () => '10 path=xy',
  (random) => paxRecord('comment', 'x'.repeat(int(random, 4096))),
];

const METADATA_MUTATIONS: readonly ((json: string, random: () => number) => string)[] = [
  (json, random) => json.slice(0, int(random, json.length)),
  (json, random) => {
    const at = int(random, json.length);
    return json.slice(0, at) + pick(random, ['{', '}', '[', ']', '"', ',', ':', '\\', '\u0000', 'NaN', '1e999', '-', 'null']) + json.slice(at + int(random, 3));
  },
  (json) => json.replace('{', '{"version":"1.0","version":"1.0",'),
  (json) => json.replace(/"version"\s*:\s*"[^"]*"/, '"version":"99.99"'),
  (json) => json.replace(/"size"\s*:\s*\d+/, '"size":1e999'),
  (json) => json.replace(/"size"\s*:\s*\d+/, '"size":-1'),
  (json) => json.replace(/"size"\s*:\s*\d+/, '"size":1.5'),
  (json) => json.replace(/"lbaSize"\s*:\s*\d+/, '"lbaSize":0'),
  (json) => json.replace(/"sha384"\s*:\s*"[0-9a-f]+"/, '"sha384":"zz"'),
  (json) => json.replace(/"path"\s*:\s*"[^"]*"/, '"path":"../../etc/passwd"'),
  (json) => json.replace(/"path"\s*:\s*"[^"]*"/, '"path":"images/\\u001b[2Jevil"'),
  (_json, random) => '['.repeat(1000 + int(random, 100_000)) + ']'.repeat(10),
  (_json, random) => `[${'{},'.repeat(50_000 + int(random, 200_000))}{}]`,
  (_json, random) => `{"a":"${'x'.repeat(int(random, 2 * 1024 * 1024))}"}`,
  (json, random) => json.replace('{', `{"junk":[${'0,'.repeat(int(random, 300_000))}0],`),
  () => '',
  () => 'null',
  () => '"just a string"',
];

export interface Mutant {
  readonly description: string;
  readonly bytes: Buffer;
}

/** Mutant `index` of `base` for `seed` (deterministic). */
export function cosiMutant(base: Buffer, seed: number, index: number): Mutant {
  const random = seededRandom((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const members = tarMembers(base);
  const member = pick(random, members);
  const operator = int(random, 8);
  const bytes = Buffer.from(base);
  switch (operator) {
    case 0: {
      // Random bytes of one header.
      const count = 1 + int(random, 8);
      for (let i = 0; i < count; i += 1) bytes[member.headerOffset + int(random, 512)] = int(random, 256);
      if (random() < 0.5) fixChecksum(bytes.subarray(member.headerOffset, member.headerOffset + 512));
      return { description: `${count} random header byte(s) of "${member.name}"`, bytes };
    }
    case 1: {
      const field = pick(random, SIZE_FIELDS)(random);
      field.copy(bytes, member.headerOffset + 124, 0, 12);
      fixChecksum(bytes.subarray(member.headerOffset, member.headerOffset + 512));
      return { description: `size field of "${member.name}" = ${field.toString('hex')}`, bytes };
    }
    case 2: {
      const flag = pick(random, ['x', 'g', 'L', 'K', '0', '1', '2', '5', 'S', 'V', '\0', 'Z']);
      bytes[member.headerOffset + 156] = flag.charCodeAt(0);
      fixChecksum(bytes.subarray(member.headerOffset, member.headerOffset + 512));
      return { description: `type flag of "${member.name}" = ${JSON.stringify(flag)}`, bytes };
    }
    case 3: {
      bytes.write(String(int(random, 0o777777)).padStart(6, '0'), member.headerOffset + 148, 'latin1');
      return { description: `checksum of "${member.name}" wrong`, bytes };
    }
    case 4: {
      const at = int(random, base.length);
      return { description: `truncated at ${at}`, bytes: bytes.subarray(0, at) };
    }
    case 5: {
      // A hostile PAX or GNU long-name header inserted before a member.
      const records = Array.from({ length: 1 + int(random, 3) }, () => pick(random, HOSTILE_PAX)(random)).join('');
      const body = Buffer.from(records);
      const flag = pick(random, ['x', 'g', 'L', 'K']);
      const claimed = random() < 0.3 ? base256SizeField(pick(random, [-512n, 1n << 40n, 3n * (1n << 29n)])) : undefined;
      const header = ustarHeader(`PaxHeaders/${member.name}`.slice(0, 99), body.length, flag, claimed === undefined ? {} : { sizeField: claimed });
      const inserted = Buffer.concat([base.subarray(0, member.headerOffset), header, padded(body), base.subarray(member.headerOffset)]);
      return { description: `${flag} header before "${member.name}": ${JSON.stringify(records.slice(0, 80))}${claimed === undefined ? '' : ` claiming ${claimed.toString('hex')}`}`, bytes: inserted };
    }
    case 6: {
      const metadata = members.find((m) => m.name === 'metadata.json');
      if (metadata === undefined) return { description: 'no metadata.json (unchanged)', bytes };
      const mutation = int(random, METADATA_MUTATIONS.length);
      const json = (METADATA_MUTATIONS[mutation] as (json: string, random: () => number) => string)(metadata.data.toString('utf8'), random);
      const rebuilt = rebuild(members.map((m) => (m.name === 'metadata.json' ? { name: m.name, data: Buffer.from(json) } : m)));
      return { description: `metadata.json mutation ${mutation} (${json.length} chars)`, bytes: rebuilt };
    }
    default: {
      // Members dropped, duplicated or reordered.
      const copy = [...members];
      const which = int(random, 3);
      if (which === 0) copy.splice(int(random, copy.length), 1);
      else if (which === 1) copy.splice(int(random, copy.length), 0, member);
      else copy.reverse();
      return { description: ['a member dropped', `"${member.name}" duplicated`, 'members reversed'][which] as string, bytes: rebuild(copy) };
    }
  }
}

/** A short fingerprint of a mutant, for messages. */
export function mutantId(mutant: Mutant): string {
  return createHash('sha256').update(mutant.bytes).digest('hex').slice(0, 12);
}
