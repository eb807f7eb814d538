import { describe, expect, it } from 'vitest';
import { filterPackages } from '../../../renderer/src/view/filter-packages.ts';
import { sampleLayout } from '../sample-data.ts';

describe('filterPackages', () => {
  const packages = sampleLayout().packages;
  it('matches name or version case-insensitively, architecture exactly', () => {
    expect(filterPackages(packages, '').length).toBe(3);
    expect(filterPackages(packages, ' OpenSSL ').map((p) => p.name)).toEqual(['openssl']);
    expect(filterPackages(packages, '2024').map((p) => p.name)).toEqual(['tzdata']);
    expect(filterPackages(packages, 'noarch').map((p) => p.name)).toEqual(['tzdata']);
    expect(filterPackages(packages, 'zzz')).toEqual([]);
  });
});
