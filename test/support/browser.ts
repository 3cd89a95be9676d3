// A real browser for the workspace tests: Debian's Chromium (installed by global-setup's
// provisioning) driven by playwright-core, axe-core run in each page, screenshots kept under
// test-artifacts/ (not in git).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import axe from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts', 'screenshots');

/** The flags this machine needs (ENVIRONMENT.md): no sandbox as root, no background traffic. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.TEST_CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Every host the page asked for anything (documents, scripts, styles, images, fetches). */
  hosts: Set<string>;
}

/** A browser context of its own: its own cookies and sessionStorage, as a second colleague's. */
export async function openTab(browser: Browser, locale = 'fr-CH'): Promise<Tab> {
  const context = await browser.newContext({ locale, timezoneId: 'Europe/Zurich', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const hosts = new Set<string>();
  page.on('request', (r) => hosts.add(new URL(r.url()).host));
  return { context, page, hosts };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * axe-core's serious and critical violations on the page as it is now (WCAG 2.1 A/AA rules).
 * Evaluated through the DevTools protocol, so the page's Content-Security-Policy stays on.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axe.source);
  const found = await page.evaluate(async () => {
    // Runs in the page: its globals, typed here by hand (this project's lib has no DOM).
    const w = globalThis as unknown as {
      document: unknown;
      axe: {
        run: (
          ctx: unknown,
          opts: unknown,
        ) => Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }>;
      };
    };
    const r = await w.axe.run(w.document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Waits for `selector`; if it never shows, a screenshot and what the page says instead. */
async function expectOnPage(page: Page, selector: string, what: string): Promise<void> {
  await page
    .locator(selector)
    .waitFor()
    .catch(async (err: Error) => {
      await screenshot(page, `sign-in-failed-${Date.now()}`);
      throw new Error(
        `${what} at ${page.url()}: ${err.message}\n${(
          await page
            .locator('body')
            .innerText()
            .catch(() => '')
        ).slice(0, 500)}`,
      );
    });
}

/** Signs in through the identity provider's own login page, as a person would. */
export async function signIn(page: Page, apiOrigin: string, login: string, password: string, path = '/staff/'): Promise<void> {
  await page.goto(`${apiOrigin}${path}`);
  await expectOnPage(page, 'input[name="login"]', 'no login form');
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('button[type="submit"]').click();
  await page.waitForURL((u) => u.origin === apiOrigin && !u.pathname.startsWith('/staff/callback'), { timeout: 20_000 });
  // Signed in: the workspace shows who is (its header), or why not.
  await expectOnPage(page, '.who', 'not signed in');
}
