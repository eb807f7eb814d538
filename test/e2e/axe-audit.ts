/**
 * The accessibility audit of the e2e tests: axe-core (node_modules/axe-core/axe.min.js) is
 * evaluated in the page and run on the whole document, in the light and the dark theme
 * (prefers-color-scheme emulation), and every violation of impact serious or critical is
 * reported with its rule, the offending elements and axe's own summary of what is wrong.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { PROJECT_ROOT } from '../support/cosi-fixtures.ts';

const AXE_PATH = path.join(PROJECT_ROOT, 'node_modules', 'axe-core', 'axe.min.js');

export type Theme = 'light' | 'dark';

export interface AxeFinding {
  readonly theme: Theme;
  readonly rule: string;
  readonly impact: string;
  readonly help: string;
  /** One line per offending element: its selector and axe's failure summary. */
  readonly nodes: readonly string[];
}

let axeSource: string | null = null;

/** Injects axe-core into `page` once per document (page.evaluate is not subject to the page's CSP). */
async function ensureAxe(page: Page): Promise<void> {
  axeSource ??= await readFile(AXE_PATH, 'utf8');
  const present = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe === 'object');
  if (!present) await page.evaluate(axeSource);
}

interface RawViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** axe's serious and critical violations of the page as it is now, in one theme. */
export async function axeViolations(page: Page, theme: Theme): Promise<AxeFinding[]> {
  await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
  // Let transitions (progress fill, switch) settle so colours are the final ones.
  await page.waitForTimeout(300);
  await ensureAxe(page);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: RawViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target.map(String), failureSummary: n.failureSummary ?? '' })) }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ theme, rule: v.id, impact: v.impact ?? '', help: v.help, nodes: v.nodes.map((n) => `${n.target.join(' ')} — ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`) }));
}

/**
 * Audits the current screen in both themes and returns a readable list of the serious and
 * critical violations (empty when there are none); `afterTheme` runs after each theme's audit
 * (e.g. a screenshot); the page is left in the light theme.
 */
export async function auditScreen(page: Page, screen: string, afterTheme?: (theme: Theme) => Promise<void>): Promise<string[]> {
  const findings: AxeFinding[] = [];
  for (const theme of ['light', 'dark'] as const) {
    findings.push(...(await axeViolations(page, theme)));
    await afterTheme?.(theme);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return findings.map((f) => `${screen} [${f.theme}] ${f.impact} ${f.rule}: ${f.help}\n    ${f.nodes.join('\n    ')}`);
}
