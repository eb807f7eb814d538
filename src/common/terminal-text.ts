/**
 * Text from an image (os-release, GPT partition names, tar entry names, package names, JSON
 * keys in error details) made safe to print on a terminal.
 *
 * An image is untrusted: a partition named "\x1b[1A\x1b[2KTarget /dev/sdz" could move the
 * cursor up and rewrite the "Target" line of the flash plan the user is confirming. Every
 * control character — C0 (including CR, LF, TAB, BS), DEL, C1 (the 8-bit CSI 0x9B among them),
 * Unicode bidirectional overrides/isolates and the line/paragraph separators — is shown as a
 * visible escape (`\x1b`, `\u202e`) instead, so the text stays readable and cannot act.
 * Pure: the CLI uses it at every output of image-derived text.
 */

// C0, DEL, C1; bidi embeddings/overrides (U+202A–202E), isolates (U+2066–2069), marks (U+200E/F, U+061C); U+2028/2029.
// eslint-disable-next-line no-control-regex -- matching control characters is this module's job
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

function escapeChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line of output: every control character, newlines included, becomes a visible escape. */
export function terminalText(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}
