import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { cosiflashPlugin } from '../../scripts/eslint-rules/cosiflash-plugin.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'test/lint/fixtures');

/** Lints `code` as if it were the file at `filePath` (relative to the repository), with the project's own config. */
async function lintAs(filePath: string, code: string): Promise<ESLint.LintResult['messages']> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  return result?.messages ?? [];
}

const ruleMessages = (messages: ESLint.LintResult['messages'], ruleId: string): string[] => messages.filter((m) => m.ruleId === ruleId).map((m) => m.message);

describe('cosiflash/module-table (eslint.config.js MODULE_TABLE)', () => {
  it('fires on a back arrow, naming both folders, what is allowed and what to do instead', async () => {
    const messages = await lintAs('src/pipeline/lint-fixture-back-arrow.ts', "import { APP_NAME } from '../service/create-handlers.ts';\nexport const name = APP_NAME;\n");
    const found = ruleMessages(messages, 'cosiflash/module-table');
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('src/pipeline/ may not import src/service/ (../service/create-handlers.ts)');
    expect(found[0]).toContain('pipeline/ may import: common, model, util, gpt, source, cosi, disk, cache');
    expect(found[0]).toContain('pass what you need in as a parameter');
  });

  it('fires on re-exports and dynamic imports too', async () => {
    const messages = await lintAs('src/model/lint-fixture-reexport.ts', "export { x } from '../disk/list-disks.ts';\nexport const later = () => import('../cli/main.ts');\n");
    expect(ruleMessages(messages, 'cosiflash/module-table')).toEqual([
      expect.stringContaining('src/model/ may not import src/disk/'),
      expect.stringContaining('src/model/ may not import src/cli/'),
    ]);
  });

  it('passes imports along the table, within a folder, of src/errors.ts and of packages', async () => {
    const code = [
      "import { inspectCosi } from '../cosi/inspect-cosi.ts';",
      "import { CosiflashError } from '../errors.ts';",
      "import { createHash } from 'node:crypto';",
      "import { flashDisk } from './flash-disk.ts';",
      'export const all = [inspectCosi, CosiflashError, createHash, flashDisk];',
      '',
    ].join('\n');
    expect(ruleMessages(await lintAs('src/pipeline/lint-fixture-good.ts', code), 'cosiflash/module-table')).toEqual([]);
  });

  it('asks for a table row when a new src/ folder appears', async () => {
    const found = ruleMessages(await lintAs('src/brand-new/lint-fixture.ts', 'export const x = 1;\n'), 'cosiflash/module-table');
    expect(found).toEqual([expect.stringContaining('src/brand-new/ is not in the module table')]);
  });

  it('lets the renderer import src/common/ at run time, and only types from the rest of src/', async () => {
    const good = "import { formatBytes } from '../../../src/common/format-units.ts';\nimport type { DiskInfo } from '../../../src/model/disk-info.ts';\nexport const f = (d: DiskInfo) => formatBytes(d.sizeBytes);\n";
    expect(await lintAs('renderer/src/view/lint-fixture-good.ts', good)).toEqual([]);
    const bad = "import { ineligibleReasons } from '../../../src/disk/eligibility.ts';\nexport const r = ineligibleReasons;\n";
    const found = ruleMessages(await lintAs('renderer/src/view/lint-fixture-bad.ts', bad), '@typescript-eslint/no-restricted-imports');
    expect(found).toEqual([expect.stringContaining('the pure shared layer src/common/')]);
  });

  it('keeps src/common/ free of Node APIs (it runs in the renderer)', async () => {
    const found = ruleMessages(await lintAs('src/common/lint-fixture.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n"), '@typescript-eslint/no-restricted-imports');
    expect(found).toEqual([expect.stringContaining('no Node APIs')]);
  });
});

describe('cosiflash/no-import-cycle', () => {
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, plugins: { cosiflash: cosiflashPlugin }, rules: { 'cosiflash/no-import-cycle': 'error' } }],
  });

  it('fires on both files of a run-time cycle, spelling the cycle out', async () => {
    const results = await eslint.lintFiles([path.join(fixtures, 'cycle/first-half.ts'), path.join(fixtures, 'cycle/second-half.ts')]);
    const found = results.flatMap((r) => ruleMessages(r.messages, 'cosiflash/no-import-cycle'));
    expect(found).toEqual([
      expect.stringContaining('test/lint/fixtures/cycle/first-half.ts → test/lint/fixtures/cycle/second-half.ts → test/lint/fixtures/cycle/first-half.ts'),
      expect.stringContaining('test/lint/fixtures/cycle/second-half.ts → test/lint/fixtures/cycle/first-half.ts → test/lint/fixtures/cycle/second-half.ts'),
    ]);
    expect(found[0]).toContain('Move what both sides need into a third module');
  });

  it('does not count `import type` (erased before anything runs)', async () => {
    const results = await eslint.lintFiles([path.join(fixtures, 'cycle/slice.ts'), path.join(fixtures, 'cycle/slice-state.ts')]);
    expect(results.flatMap((r) => r.messages)).toEqual([]);
  });
});
