/**
 * The packaging configuration's security settings (issue 7 §5): Electron fuses, and that every
 * fuse named exists in electron-builder's own schema (a misspelt fuse would be ignored).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/cosi-fixtures.ts';

function fusesOf(yaml: string): Record<string, boolean> {
  const block = /^electronFuses:\n((?: {2}.*\n)+)/m.exec(yaml)?.[1] ?? '';
  return Object.fromEntries(block.trim().split('\n').map((line) => {
    const [key, value] = line.trim().split(/:\s*/);
    return [key ?? '', value === 'true'];
  }));
}

describe('electron-builder.yml', () => {
  const fuses = fusesOf(readFileSync(path.join(PROJECT_ROOT, 'electron-builder.yml'), 'utf8'));

  it('keeps RunAsNode (the writer needs it) and turns off environment and inspector code injection', () => {
    expect(fuses).toMatchObject({
      runAsNode: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('names only fuses electron-builder knows', () => {
    const scheme = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as { definitions: { FuseOptionsV1: { properties: Record<string, unknown> } } };
    const known = Object.keys(scheme.definitions.FuseOptionsV1.properties);
    expect(Object.keys(fuses).length).toBeGreaterThan(4);
    for (const name of Object.keys(fuses)) expect(known).toContain(name);
  });
});
