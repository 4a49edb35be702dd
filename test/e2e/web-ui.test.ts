import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.js';
import { ADMIN_PASSWORD, adminAuth, createSource, startTestServer } from '../support/server.js';
import { clearFailureScreenshots, ensureWebBuilt, launchChromium, snap } from './browser.js';

const WAIT = 20_000;

// Generous limits: the browser shares the machine with the rest of the suite's forks.
describe('web UI in chromium', { timeout: 90_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  async function signIn(target: Page, password = ADMIN_PASSWORD): Promise<void> {
    await target.getByLabel('Username').fill('admin');
    await target.getByLabel('Password', { exact: true }).fill(password);
    await target.getByRole('button', { name: 'Sign in' }).click();
  }

  function editor(target: Page = page) {
    return target.getByRole('textbox', { name: 'Query' });
  }

  async function setQuery(text: string, target: Page = page): Promise<void> {
    await editor(target).click();
    await target.keyboard.press('ControlOrMeta+a');
    await target.keyboard.press('Delete');
    await target.keyboard.type(text);
  }

  beforeAll(async () => {
    ensureWebBuilt();
    clearFailureScreenshots();
    server = await startTestServer();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    page = await context.newPage();
    page.setDefaultTimeout(WAIT);
  }, 180_000);

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail' && page) await snap(page, `failed-${context.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the sign-in page, refuses a wrong password, and lands on the search page', async () => {
    await page.goto(`${server.url}/`);
    await expect.poll(() => page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
    await snap(page, '01-sign-in');
    await signIn(page, 'not-the-password');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Wrong username or password');
    await snap(page, '02-sign-in-wrong-password');

    await signIn(page);
    await editor().waitFor();
    expect(new URL(page.url()).pathname).toBe('/log-search/create');
    expect(await page.getByRole('button', { name: 'Run' }).isVisible()).toBe(true);
    await snap(page, '03-search-page');
  });

  it('highlights the query with the lexer and underlines a misspelled operator with its message on hover', async () => {
    await setQuery('_sourceCategory=prod/web error | pars "a" as b');
    const mark = page.locator('.cm-lintRange-error');
    await mark.first().waitFor();
    expect(await mark.first().textContent()).toBe('pars');
    expect(await page.locator('.q-meta').first().textContent()).toBe('_sourceCategory');
    expect(await page.locator('.q-str').first().textContent()).toBe('"a"');
    expect(await page.getByText('1 error').isVisible()).toBe(true);

    await mark.first().hover();
    const tooltip = page.locator('.cm-tooltip-lint');
    await tooltip.waitFor();
    expect(await tooltip.textContent()).toContain('unknown operator "pars"');
    expect(await tooltip.textContent()).toContain('did you mean "parse"');
    await snap(page, '04-editor-diagnostic-hover');
  });

  it('completes operators after a pipe and metadata fields in the scope', async () => {
    await setQuery('error | cou');
    const list = page.locator('.cm-tooltip-autocomplete');
    const text = async (): Promise<string> => ((await list.count()) > 0 ? ((await list.textContent()) ?? '') : '');
    // Popups opened earlier in the typing update as it goes on: wait for the one for `cou`.
    const selected = page.locator('.cm-tooltip-autocomplete li[aria-selected] .cm-completionLabel');
    await expect.poll(async () => ((await selected.count()) > 0 ? await selected.textContent() : ''), { timeout: WAIT }).toBe('count');
    await snap(page, '05-editor-autocomplete');
    await page.keyboard.press('Enter');
    // Under load the accepted completion can land a frame after the key press.
    await expect.poll(async () => (await editor().textContent()) ?? '', { timeout: WAIT }).toMatch(/^error \| count/);
    await page.keyboard.press('Escape');

    await setQuery('_sourceC');
    await expect.poll(text, { timeout: WAIT }).toContain('_sourceCategory');
    await page.keyboard.press('Escape');
  });

  /** Waits for a run to end: results counted, or the notice of a server without the Search Job API. */
  async function runOutcome(target: Page): Promise<string> {
    const outcome = target.getByText(/^Search is not available on this server yet$|\d+ messages? · \d+ records?/);
    await outcome.first().waitFor();
    return (await outcome.first().textContent()) ?? '';
  }

  it('runs on Ctrl-Enter with the query and the time range', async () => {
    await setQuery('error | count by _sourceHost');
    const request = page.waitForRequest((r) => r.url().endsWith('/api/v1/search/jobs') && r.method() === 'POST');
    await editor().press('Control+Enter');
    const sent = await request;
    const body = sent.postDataJSON() as { query: string; from: number; to: number; timeZone: string };
    expect(body.query).toBe('error | count by _sourceHost');
    expect(body.to - body.from).toBe(15 * 60 * 1000);
    expect(sent.headers()['x-csrf-token']).toBeTruthy();
    await runOutcome(page);
    expect(await page.getByRole('alert').count()).toBe(0);
    await snap(page, '06-search-run');

    // The run went into the recent-query history.
    await page.getByRole('button', { name: 'History' }).click();
    expect(await page.getByRole('listbox', { name: 'Recent queries' }).getByRole('option').first().textContent()).toBe(
      'error | count by _sourceHost',
    );
    await page.keyboard.press('Escape');
  });

  it('shows the first page of messages and records when the server has the Search Job API', async (context) => {
    const probe = await fetch(`${server.url}/api/v1/search/jobs`, {
      method: 'POST',
      headers: { authorization: adminAuth, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '*', from: Date.now() - 60_000, to: Date.now() }),
    });
    if (probe.status === 404) return context.skip();
    const source = await createSource(server.url, { name: 'e2e-web', category: 'e2e/web', multiline: false });
    const lines = ['GET /a 200', 'GET /b 500 error upstream', 'POST /c 500 error timeout'];
    expect((await fetch(source.url, { method: 'POST', body: lines.join('\n') })).status).toBe(200);

    await setQuery('_sourceCategory=e2e/web error');
    await page.getByRole('button', { name: 'Run' }).click();
    const messages = page.getByRole('table', { name: 'Messages' });
    await messages.waitFor();
    expect(await messages.getByRole('row').count()).toBe(1 + 2);
    expect(await messages.textContent()).toContain('POST /c 500 error timeout');
    expect(await page.getByText('2 messages · 0 records').isVisible()).toBe(true);
    expect(await page.getByRole('listbox').count()).toBe(0);
    await snap(page, '06c-messages');

    await setQuery('_sourceCategory=e2e/web | count');
    await editor().press('Control+Enter');
    const records = page.getByRole('table', { name: 'Records' });
    await records.waitFor();
    expect(await records.textContent()).toContain('3');
    expect(await page.getByText('3 messages · 1 record', { exact: true }).isVisible()).toBe(true);
    expect(await page.locator('.cm-tooltip-autocomplete').count()).toBe(0);
    await snap(page, '06d-records');

    // Fields of the current results are offered by completion.
    await setQuery('_sourceCategory=e2e/web | parse "* /* *" as verb, path, code');
    await editor().press('Control+Enter');
    await page.getByText('3 messages · 0 records', { exact: true }).waitFor();
    await editor().press('End');
    await page.keyboard.type(' | where ver');
    // (The popup opened while typing `where` may still be updating: wait for it to settle.)
    const list = page.locator('.cm-tooltip-autocomplete');
    await expect.poll(async () => ((await list.count()) > 0 ? await list.textContent() : ''), { timeout: WAIT }).toContain('verb');
  });

  it('says calmly that search is not available on a server without the Search Job API', async () => {
    // Stands in for a server of the version before the Search Job API: the endpoint answers 404.
    await page.route('**/api/v1/search/jobs', (route) =>
      route.fulfill({ status: 404, contentType: 'application/json', body: JSON.stringify({ code: 'not_found', message: 'no route' }) }),
    );
    try {
      await setQuery('error');
      await page.getByRole('button', { name: 'Run' }).click();
      await page.getByText('Search is not available on this server yet').waitFor();
      expect(await page.getByRole('alert').count()).toBe(0);
      await snap(page, '06b-search-not-available');
    } finally {
      await page.unroute('**/api/v1/search/jobs');
    }
  });

  it('keeps query and range in the URL: a fresh browser context reproduces the search', async () => {
    await setQuery('status=500 | count by _sourceCategory');
    await page.getByRole('button', { name: /^Time range/ }).click();
    await snap(page, '07-time-range-picker');
    await page.getByLabel('Relative').fill('-2d3h');
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    expect(await page.getByRole('button', { name: /^Time range/ }).textContent()).toContain('Last 2 days 3 hours');
    await page.getByLabel('By receipt time').check();
    await expect.poll(() => new URL(page.url()).searchParams.get('startTime')).toBe('-2d3h');
    const shared = page.url();
    expect(new URL(shared).searchParams.get('query')).toBe('status=500 | count by _sourceCategory');
    expect(new URL(shared).searchParams.get('byReceiptTime')).toBe('true');

    const fresh = await browser.newContext({ viewport: { width: 1920, height: 1080 }, colorScheme: 'dark' });
    try {
      const other = await fresh.newPage();
      other.setDefaultTimeout(WAIT);
      await other.goto(shared);
      await other.getByRole('button', { name: 'Sign in' }).waitFor();
      const run = other.waitForRequest((r) => r.url().endsWith('/api/v1/search/jobs') && r.method() === 'POST');
      await signIn(other);
      await editor(other).waitFor();
      expect(await editor(other).textContent()).toBe('status=500 | count by _sourceCategory');
      expect(await other.getByRole('button', { name: /^Time range/ }).textContent()).toContain('Last 2 days 3 hours');
      expect(await other.getByLabel('By receipt time').isChecked()).toBe(true);
      // Opening a shared link runs its search.
      const body = (await run).postDataJSON() as { query: string; from: number; to: number; byReceiptTime: boolean };
      expect(body).toMatchObject({ query: 'status=500 | count by _sourceCategory', byReceiptTime: true });
      expect(body.to - body.from).toBe((2 * 24 + 3) * 3600 * 1000);
      await runOutcome(other);
      await snap(other, '08-shared-link-1920-dark');
    } finally {
      await fresh.close();
    }
  });

  it('toggles the theme and remembers the choice', async () => {
    // Browser-side code as strings: the test's tsconfig has no DOM types.
    const theme = () => page.evaluate<string | undefined>('document.documentElement.dataset.theme');
    expect(await theme()).toBe('light');
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    expect(await theme()).toBe('dark');
    await page.reload();
    await editor().waitFor();
    expect(await theme()).toBe('dark');
    await snap(page, '09-search-dark');
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    expect(await theme()).toBe('light');
  });

  it('reaches the controls with the keyboard', async () => {
    await page.goto(`${server.url}/log-search/create`);
    await editor().waitFor();
    const names: string[] = [];
    await page.locator('body').click({ position: { x: 600, y: 700 } });
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      names.push(
        await page.evaluate<string>(
          "(document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent?.trim() ?? '')",
        ),
      );
    }
    expect(names).toContain('Query');
    expect(names.some((n) => n.startsWith('Time range'))).toBe(true);
    expect(names).toContain('Run');
  });

  it('changes the password, signs out, and signs in with the new password', async () => {
    await page.getByRole('button', { name: 'admin' }).click();
    await page.getByRole('menuitem', { name: 'Change password' }).click();
    await page.getByLabel('Current password').fill(ADMIN_PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill('brand-new-password');
    await page.getByLabel('Confirm new password').fill('brand-new-password');
    await snap(page, '10-change-password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed').waitFor();
    await page.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('button', { name: 'admin' }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.getByText('You have signed out.').isVisible()).toBe(true);
    // (The app's header: a bare fetch would get a Basic challenge and a browser password dialog.)
    const status = await page.evaluate(async () => (await fetch('/api/v1/session', { headers: { 'x-quarry-client': 'web' } })).status);
    expect(status).toBe(401);
    await snap(page, '11-signed-out');

    await signIn(page);
    await page.getByRole('alert').waitFor();
    await signIn(page, 'brand-new-password');
    await editor().waitFor();
  });
});
