// ESLint rule "cosiflash/no-import-cycle": a run-time import must not lead back to the
// importing file through other project modules. `import type` is erased before anything
// runs and is not counted (the renderer store's slices and their combined state type refer
// to each other that way). Other files are read from disk; the linted file from its AST.
import path from 'node:path';
import { importNodeVisitors, importsOnDisk, resolveRelative } from './import-specifiers.js';

/** A path of files from `start` back to `goal`, or null. */
function pathBack(start, goal, withinDir) {
  const seen = new Set();
  const stack = [[start, [start]]];
  while (stack.length > 0) {
    const [file, trail] = stack.pop();
    if (file === goal) return trail;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const next of importsOnDisk(file)) {
      if (!next.startsWith(withinDir) || next.includes(`${path.sep}node_modules${path.sep}`)) continue;
      if (!seen.has(next)) stack.push([next, [...trail, next]]);
    }
  }
  return null;
}

export const importCycleRule = {
  meta: {
    type: 'problem',
    docs: { description: 'No import cycles between project modules.' },
    schema: false,
    messages: {
      cycle: 'Import cycle (run-time imports): {{cycle}}. Move what both sides need into a third module that both import (often src/model/ for types or src/common/ for pure code), or pass it in as a parameter.',
    },
  },
  create(context) {
    const file = context.filename;
    const root = path.resolve(context.cwd) + path.sep;
    return importNodeVisitors((node, specifier, typeOnly) => {
      if (typeOnly) return;
      const target = resolveRelative(file, specifier);
      if (target === null || target === file) return;
      const trail = pathBack(target, file, root);
      if (trail === null) return;
      const cycle = [file, ...trail].map((f) => path.relative(context.cwd, f)).join(' → ');
      context.report({ node: node.source, messageId: 'cycle', data: { cycle } });
    });
  },
};
