// The project's own ESLint rules (no extra dependencies): the module table and no import cycles.
import { importCycleRule } from './import-cycle-rule.js';
import { moduleTableRule } from './module-table-rule.js';

export const cosiflashPlugin = {
  meta: { name: 'cosiflash-local' },
  rules: { 'module-table': moduleTableRule, 'no-import-cycle': importCycleRule },
};
