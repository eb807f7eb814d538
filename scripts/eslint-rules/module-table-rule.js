// ESLint rule "cosiflash/module-table": a file in src/<folder>/ may import only the folders
// its row of the module table allows (the table is in eslint.config.js and mirrors the
// README's architecture section). Files directly in src/ (errors.ts) may be imported by all.
import path from 'node:path';
import { importNodeVisitors, resolveRelative } from './import-specifiers.js';

const GENERIC_HINT = 'Move what both need down into a folder both may import (src/model/ for types, src/common/ for pure code), or have the caller pass it in.';

/** Which src/ folder a file belongs to: a name, '' for files directly in src/, null outside src/. */
function folderOf(file, srcDir) {
  const relative = path.relative(srcDir, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return null;
  const parts = relative.split(path.sep);
  return parts.length === 1 ? '' : parts[0];
}

export const moduleTableRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports between src/ folders follow the module table (README "Architecture").' },
    schema: false,
    messages: {
      backArrow: 'src/{{from}}/ may not import src/{{to}}/ ({{specifier}}). {{from}}/ may import: {{allowed}}. {{hint}}',
      unknownFolder: 'src/{{from}}/ is not in the module table: add a row for it to MODULE_TABLE in eslint.config.js and to the README architecture section.',
    },
  },
  create(context) {
    const options = context.options[0] ?? {};
    const srcDir = path.resolve(context.cwd, options.srcDir ?? 'src');
    const table = options.table ?? {};
    const file = context.filename;
    const from = folderOf(file, srcDir);
    if (from === null || from === '') return {};
    const row = table[from];
    if (row === undefined) {
      return { Program(node) { context.report({ node, messageId: 'unknownFolder', data: { from } }); } };
    }
    return importNodeVisitors((node, specifier) => {
      const target = resolveRelative(file, specifier);
      if (target === null) return;
      const to = folderOf(target, srcDir);
      if (to === null || to === '' || to === from || row.imports.includes(to)) return;
      const hint = table[to]?.importedInstead ?? GENERIC_HINT;
      context.report({ node: node.source, messageId: 'backArrow', data: { from, to, specifier, allowed: row.imports.length === 0 ? 'nothing but src/*.ts' : row.imports.join(', '), hint } });
    });
  },
};
