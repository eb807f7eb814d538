import { describe, expect, it } from 'vitest';
import { parseOciReference } from '../../src/source/oci-reference.ts';
import { thrownCosiflashError } from '../support/thrown-cosiflash-error.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('parseOciReference', () => {
  it('splits registry, repository and tag; the tag defaults to latest', () => {
    expect(parseOciReference('oci://ghcr.io/org/team/image:1.2.3')).toEqual({ registry: 'ghcr.io', apiHost: 'ghcr.io', repository: 'org/team/image', tag: '1.2.3', digest: null, location: 'oci://ghcr.io/org/team/image:1.2.3', loopback: false });
    expect(parseOciReference('oci://ghcr.io/org/image')).toMatchObject({ tag: 'latest', location: 'oci://ghcr.io/org/image:latest' });
  });

  it('takes a digest (which wins over a tag written next to it)', () => {
    expect(parseOciReference(`oci://127.0.0.1:5000/a/b@${DIGEST}`)).toMatchObject({ registry: '127.0.0.1:5000', repository: 'a/b', tag: null, digest: DIGEST, loopback: true, location: `oci://127.0.0.1:5000/a/b@${DIGEST}` });
    expect(parseOciReference(`oci://localhost:5000/a:v1@${DIGEST}`)).toMatchObject({ repository: 'a', tag: null, digest: DIGEST, loopback: true });
  });

  it('knows loopback hosts, IPv6 in brackets, and Docker Hub names', () => {
    expect(parseOciReference('oci://[::1]:5000/a:v1')).toMatchObject({ registry: '[::1]:5000', loopback: true });
    expect(parseOciReference('oci://10.0.0.1:5000/a:v1').loopback).toBe(false);
    expect(parseOciReference('oci://docker.io/ubuntu:24.04')).toMatchObject({ apiHost: 'registry-1.docker.io', repository: 'library/ubuntu' });
  });

  it.each([
    ['oci://', /names no repository/],
    ['oci://host', /names no repository/],
    ['oci://ho_st/a:v1', /not a registry host/],
    ['oci://host:99999/a:v1', /not a registry host/],
    ['oci://host/Upper:v1', /repository "Upper"/],
    ['oci://host/a//b:v1', /repository "a\/\/b"/],
    ['oci://host/a:-bad', /tag "-bad"/],
    ['oci://host/a@sha256:1234', /digest "sha256:1234"/],
    [`oci://host/a@sha512:${'a'.repeat(128)}`, /digest/],
  ])('refuses %j with E_URL naming the part', (location, why) => {
    const error = thrownCosiflashError(() => parseOciReference(location));
    expect(error.code).toBe('E_URL');
    expect(error.detail).toMatch(why);
  });
});
