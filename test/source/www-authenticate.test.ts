import { describe, expect, it } from 'vitest';
import { parseWwwAuthenticate } from '../../src/source/www-authenticate.ts';

describe('parseWwwAuthenticate', () => {
  it('reads a registry bearer challenge', () => {
    expect(parseWwwAuthenticate('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull' } },
    ]);
  });

  it('reads several challenges, unquoted values and escapes', () => {
    expect(parseWwwAuthenticate('Basic realm="a \\"b\\"", Bearer realm=https://x/token, error=insufficient_scope')).toEqual([
      { scheme: 'basic', params: { realm: 'a "b"' } },
      { scheme: 'bearer', params: { realm: 'https://x/token', error: 'insufficient_scope' } },
    ]);
  });

  it('gives nothing for a missing header', () => {
    expect(parseWwwAuthenticate(null)).toEqual([]);
  });
});
