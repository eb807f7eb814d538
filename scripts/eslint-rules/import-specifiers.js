// Shared by the local ESLint rules: which relative files a module imports.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** The AST nodes of one file that name another module: static imports, re-exports, import(). */
export function importNodeVisitors(onSource) {
  const visit = (node) => {
    if (node.source && node.source.type === 'Literal' && typeof node.source.value === 'string') onSource(node, node.source.value, isTypeOnly(node));
  };
  return { ImportDeclaration: visit, ExportNamedDeclaration: visit, ExportAllDeclaration: visit, ImportExpression: visit };
}

/** The absolute file a relative specifier names, or null for packages and built-ins. */
export function resolveRelative(fromFile, specifier) {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return null;
  return path.resolve(path.dirname(fromFile), specifier);
}

/** `import type …` / `export type … from` disappear at run time (verbatimModuleSyntax keeps everything else). */
function isTypeOnly(node) {
  return node.importKind === 'type' || node.exportKind === 'type';
}

/** Run-time module references of a TypeScript source text: imports, re-exports and import() that survive type erasure. */
function runtimeSpecifiers(fileName, text) {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, fileName.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found = [];
  const walk = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!node.importClause?.isTypeOnly) found.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!node.isTypeOnly) found.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] !== undefined && ts.isStringLiteral(node.arguments[0])) {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, walk);
  };
  walk(source);
  return found;
}

const cache = new Map();

/** Relative run-time imports of a file on disk (imports, re-exports, import(); not `import type`), cached by mtime. */
export function importsOnDisk(file) {
  let mtimeMs;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return [];
  }
  const hit = cache.get(file);
  if (hit !== undefined && hit.mtimeMs === mtimeMs) return hit.imports;
  const imports = runtimeSpecifiers(file, readFileSync(file, 'utf8')).map((specifier) => resolveRelative(file, specifier)).filter((target) => target !== null && /\.(tsx?|m?js)$/.test(target));
  cache.set(file, { mtimeMs, imports });
  return imports;
}
