import type { ESLint } from 'eslint';

/** The project's own ESLint rules (cosiflash-plugin.js): module-table and no-import-cycle. */
export declare const cosiflashPlugin: ESLint.Plugin;
