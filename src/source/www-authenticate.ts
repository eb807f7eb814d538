/** One challenge of a WWW-Authenticate header (RFC 9110 §11.6.1): scheme and parameters. */
export interface AuthChallenge {
  /** Lower case: 'bearer', 'basic', … */
  readonly scheme: string;
  /** Parameter names in lower case; quoted values unescaped. */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Parses a WWW-Authenticate value into its challenges, e.g.
 * `Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull"`.
 * Malformed parts are skipped rather than guessed at; token68 values are ignored.
 */
export function parseWwwAuthenticate(value: string | null): AuthChallenge[] {
  if (value === null) return [];
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  const token = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
  let at = 0;
  const skipSpace = (): void => {
    while (at < value.length && /[\s,]/.test(value[at] ?? '')) at += 1;
  };
  const readToken = (): string | null => {
    token.lastIndex = at;
    const match = token.exec(value);
    if (match === null) return null;
    at = token.lastIndex;
    return match[0];
  };
  while (at < value.length) {
    skipSpace();
    const word = readToken();
    if (word === null) {
      at += 1;
      continue;
    }
    // "name=" after a scheme is a parameter of the current challenge; otherwise a new scheme.
    let look = at;
    while (value[look] === ' ' || value[look] === '\t') look += 1;
    const current = challenges.at(-1);
    if (value[look] === '=' && value[look + 1] !== '=' && current !== undefined) {
      at = look + 1;
      while (value[at] === ' ' || value[at] === '\t') at += 1;
      let parsed: string | null;
      if (value[at] === '"') {
        at += 1;
        let text = '';
        while (at < value.length && value[at] !== '"') {
          if (value[at] === '\\' && at + 1 < value.length) at += 1;
          text += value[at];
          at += 1;
        }
        at += 1;
        parsed = text;
      } else {
        // Unquoted: a token by the RFC, but realms are sent unquoted too; read up to , or space.
        const bare = /[^\s,]+/y;
        bare.lastIndex = at;
        const match = bare.exec(value);
        parsed = match === null ? null : match[0];
        if (match !== null) at = bare.lastIndex;
      }
      if (parsed !== null) current.params[word.toLowerCase()] = parsed;
      continue;
    }
    challenges.push({ scheme: word.toLowerCase(), params: {} });
  }
  return challenges;
}
