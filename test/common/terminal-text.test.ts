import { describe, expect, it } from 'vitest';
import { terminalText } from '../../src/common/terminal-text.ts';

describe('terminalText', () => {
  it('keeps ordinary text, including non-ASCII letters and emoji', () => {
    expect(terminalText('Azure Linux 3.0 — Größe 😀 /boot/efi')).toBe('Azure Linux 3.0 — Größe 😀 /boot/efi');
  });

  it('shows cursor movement, line rewriting and 8-bit CSI as visible escapes', () => {
    expect(terminalText('root\x1b[1A\x1b[2K\rTarget /dev/sdz')).toBe('root\\x1b[1A\\x1b[2K\\x0dTarget /dev/sdz');
    expect(terminalText('a\u009b2Jb')).toBe('a\\x9b2Jb');
    expect(terminalText('bell\x07 back\x08 del\x7f nul\x00')).toBe('bell\\x07 back\\x08 del\\x7f nul\\x00');
  });

  it('escapes newlines and tabs, so a value cannot fake a line of its own', () => {
    expect(terminalText('esp\nTarget  /dev/sdz')).toBe('esp\\x0aTarget  /dev/sdz');
    expect(terminalText('a\tb')).toBe('a\\x09b');
  });

  it('escapes bidirectional overrides and Unicode line separators', () => {
    expect(terminalText('abc\u202Efdp.exe')).toBe('abc\\u202efdp.exe');
    expect(terminalText('x\u2028y\u2066z')).toBe('x\\u2028y\\u2066z');
  });

  it('is idempotent', () => {
    const once = terminalText('\x1b[31mred\x1b[0m\n');
    expect(terminalText(once)).toBe(once);
    expect([...once].every((char) => char.charCodeAt(0) >= 0x20)).toBe(true);
  });
});
