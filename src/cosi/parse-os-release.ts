/**
 * Reads the few os-release fields the UI shows (freedesktop.org os-release(5): shell-style
 * `KEY=value` lines, values optionally quoted with backslash escapes). Never throws: the
 * field is free text from the image.
 */
export function parseOsRelease(text: string): { prettyName: string | null; id: string | null; versionId: string | null; name: string | null } {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!match || match[1] === undefined || match[2] === undefined) continue;
    fields.set(match[1], unquote(match[2].trim()));
  }
  const get = (key: string): string | null => {
    const value = fields.get(key);
    return value === undefined || value === '' ? null : value;
  };
  return { prettyName: get('PRETTY_NAME'), id: get('ID'), versionId: get('VERSION_ID'), name: get('NAME') };
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
    const inner = value.slice(1, -1);
    return quote === '"' ? inner.replace(/\\(["\\`$])/g, '$1') : inner;
  }
  return value;
}
