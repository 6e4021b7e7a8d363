/**
 * Debian's Chromium for the browser tests: launched the one way this machine allows (no sandbox as root, no
 * background networking, which the closed network refuses), and axe-core injected from node_modules to check
 * pages against WCAG 2.x A/AA without any network.
 */
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM } from '../../src/testing/index.js';

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });

const axeScript = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: readonly string[];
}

/**
 * WCAG 2.x A/AA violations axe-core finds on the page as it is now. The pages send a strict CSP (no inline
 * scripts), so the browser context must be created with `bypassCSP: true`.
 */
export const axeViolations = async (page: Page): Promise<AxeViolation[]> => {
  await page.addScriptTag({ path: axeScript });
  return page.evaluate(async (tags) => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(
            ctx: Document,
            opts: object,
          ): Promise<{
            violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
          }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  }, wcagTags);
};
