import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Request, Response } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.js';
import { PRESETS, resolveRange } from '../../web/src/features/search/time-range.js';
import { sharedData, startTestServer } from '../support/server.js';
import { ensureWebBuilt, ingestSearchable, launchChromium, openSignedIn, snap } from './browser.js';

const WAIT = 30_000;
const CATEGORY = 'e2e/editor';
/** Lines of the apache access log from 2015-05-17 (+0000): the first 40, and the first 5 HTTP/1.1 ones not answered 200. */
const ALL_LINES = readFileSync(join(sharedData, 'http-access/elastic-apache/apache_logs'), 'utf8').split(
  '\n',
);
const LINES = [
  ...ALL_LINES.slice(0, 40),
  ...ALL_LINES.slice(40)
    .filter((l) => l.includes('[17/May/2015') && /HTTP\/1\.1" [13-5]\d\d /.test(l))
    .slice(0, 5),
];
const DAY = { from: Date.UTC(2015, 4, 17), to: Date.UTC(2015, 4, 18) };
const statuses = new Set(LINES.map((l) => /HTTP\/1\.1" (\d+) /.exec(l)?.[1]).filter((s) => s !== undefined));
const verbs = new Set(LINES.map((l) => /"([A-Z]+) /.exec(l)?.[1]).filter((s) => s !== undefined));

/** Queries with `\"`, quotes inside regexes and nested brackets, and the records each gives. */
const QUERIES: readonly { text: string; records: number }[] = [
  {
    text: `_sourceCategory=${CATEGORY} | parse "HTTP/1.1\\" * " as status | count by status`,
    records: statuses.size,
  },
  {
    text: `_sourceCategory=${CATEGORY} | parse regex "\\"(?<verb>[A-Z]+) (?<path>[^ \\"]*)" | count by verb`,
    records: verbs.size,
  },
  { text: `_sourceCategory=${CATEGORY} | where _raw matches /"GET [^"]*kibana/ | count`, records: 1 },
  {
    text: `_sourceCategory=${CATEGORY} | parse "HTTP/1.1\\" * " as status | if(status = "200", concat("(", status, ")"), "[other]") as label | count by label`,
    records: 2,
  },
];

describe('query editor typing and shared links in chromium', { timeout: 120_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  function editor() {
    return page.getByRole('textbox', { name: 'Query' });
  }

  async function open(path: string): Promise<void> {
    await openSignedIn(page, `${server.url}${path}`);
  }

  /** The editor's text: its lines, without the placeholder an empty editor shows (no DOM types here). */
  async function editorText(): Promise<string> {
    return page.evaluate<string>(
      `[...document.querySelectorAll('.cm-content .cm-line')].map((line) => [...line.childNodes].filter((n) => !n.classList?.contains('cm-placeholder')).map((n) => n.textContent).join('')).join('\\n')`,
    );
  }

  async function clearEditor(): Promise<void> {
    await editor().click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Delete');
    await expect.poll(editorText).toBe('');
  }

  /** Pastes through the clipboard with the paste shortcut, as a person would. */
  async function paste(text: string): Promise<void> {
    // Browser-side code as a string: the test's tsconfig has no DOM types.
    await page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(text)})`);
    await editor().focus();
    await page.keyboard.press('ControlOrMeta+v');
  }

  /**
   * Runs the search and waits for its end: the counts once the page has fetched this job's results
   * (the previous run's counts stay on screen until then), or the alert of a refused search.
   */
  async function run(): Promise<{ request: Request; outcome: string }> {
    const seen: string[] = [];
    const onResponse = (response: Response): void => void seen.push(response.url());
    page.on('response', onResponse);
    try {
      const created = page.waitForResponse(
        (r) => r.url().endsWith('/api/v1/search/jobs') && r.request().method() === 'POST',
      );
      await page.keyboard.press('Escape');
      await editor().press('ControlOrMeta+Enter');
      const response = await created;
      if (!response.ok()) {
        await page.getByRole('alert').waitFor();
        return { request: response.request(), outcome: (await page.getByRole('alert').textContent()) ?? '' };
      }
      const { id } = (await response.json()) as { id: string };
      await expect
        .poll(() => seen.some((url) => /\/(records|messages)\?/.test(url) && url.includes(`/jobs/${id}/`)), {
          timeout: WAIT,
        })
        .toBe(true);
      const status = page.locator('.status-text');
      await expect
        .poll(async () => (await status.textContent()) ?? '', { timeout: WAIT })
        .toMatch(/^\d+ messages? · \d+ records?$/);
      return { request: response.request(), outcome: (await status.textContent()) ?? '' };
    } finally {
      page.off('response', onResponse);
    }
  }

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    await ingestSearchable(server.url, { name: 'e2e-editor', category: CATEGORY, lines: LINES, range: DAY });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    page = await context.newPage();
    page.setDefaultTimeout(WAIT);
  }, 180_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page)
      await snap(page, `failed-editor-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('types queries with \\", quotes in regexes and nested brackets key by key exactly as pasted, and runs them', async () => {
    await open(`/log-search/create?startTime=${DAY.from}&endTime=${DAY.to}&timeZone=UTC`);
    for (const query of QUERIES) {
      await clearEditor();
      await paste(query.text);
      await expect.poll(editorText).toBe(query.text);

      await clearEditor();
      // Real key presses, one character at a time (auto-closing brackets and quotes are on).
      await page.keyboard.type(query.text);
      await expect.poll(editorText).toBe(query.text);

      const { request, outcome } = await run();
      expect((request.postDataJSON() as { query: string }).query).toBe(query.text);
      expect(outcome).toMatch(new RegExp(`^\\d+ messages? · ${query.records} records?$`));
      expect(await page.locator('.cm-lintRange-error').count()).toBe(0);
      expect(await page.locator('.diagnostic-count').textContent()).toBe('');
    }
    const records = page.getByRole('table', { name: 'Records' });
    expect(await records.textContent()).toContain('(200)');
    expect(await records.textContent()).toContain('[other]');
    await snap(page, '30-typed-query-with-escaped-quote');
  });

  it('still pairs brackets and quotes while typing, and moves over the ones it inserted', async () => {
    await clearEditor();
    await page.keyboard.type('| where x = concat("a');
    // The editor closed the string and the call after the cursor.
    await expect.poll(editorText).toBe('| where x = concat("a")');
    await page.keyboard.type('\\"');
    await expect.poll(editorText).toBe('| where x = concat("a\\"")');
    await page.keyboard.type('")');
    await expect.poll(editorText).toBe('| where x = concat("a\\"")');
    await page.keyboard.type(' as y');
    await expect.poll(editorText).toBe('| where x = concat("a\\"") as y');
  });

  it('runs a shared link with ISO times ending in Z, and shows them in the picker', async () => {
    const query = `_sourceCategory=${CATEGORY} | count`;
    const params = new URLSearchParams({
      query,
      startTime: '2015-05-17T00:00:00Z',
      endTime: '2015-05-18T00:00:00.000Z',
      timeZone: 'Europe/Berlin',
    });
    const request = page.waitForRequest(
      (r) => r.url().endsWith('/api/v1/search/jobs') && r.method() === 'POST',
    );
    await open(`/log-search/create?${params.toString()}`);
    const body = (await request).postDataJSON() as {
      query: string;
      from: number;
      to: number;
      timeZone: string;
    };
    expect(body).toMatchObject({ query, from: DAY.from, to: DAY.to, timeZone: 'Europe/Berlin' });
    await page.getByText(`${LINES.length} messages · 1 record`, { exact: true }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);

    const picker = page.getByRole('button', { name: /^Time range/ });
    expect(await picker.textContent()).toContain('2015-05-17 00:00:00Z → 2015-05-18 00:00:00.000Z');
    await picker.click();
    // The absolute inputs show the same instants in the search's time zone (+02:00 in May).
    expect(await page.getByLabel('From', { exact: true }).inputValue()).toBe('2015-05-17T02:00');
    expect(await page.getByLabel('To', { exact: true }).inputValue()).toBe('2015-05-18T02:00');
    await page.getByRole('button', { name: 'Apply absolute range' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('startTime')).toBe('2015-05-17T02:00');
    const rerun = await run();
    expect(rerun.request.postDataJSON()).toMatchObject({ from: DAY.from, to: DAY.to });
    expect(rerun.outcome).toBe(`${LINES.length} messages · 1 record`);
  });

  it('runs a hand-written link with an offset and epoch milliseconds', async () => {
    const query = encodeURIComponent(`_sourceCategory=${CATEGORY} | count`);
    // `+` unencoded, as people write it: the query string reads it as a space.
    const request = page.waitForRequest(
      (r) => r.url().endsWith('/api/v1/search/jobs') && r.method() === 'POST',
    );
    await open(
      `/log-search/create?query=${query}&startTime=2015-05-17T05:30+05:30&endTime=${DAY.to}&timeZone=UTC`,
    );
    expect((await request).postDataJSON()).toMatchObject({ from: DAY.from, to: DAY.to });
    await page.getByText(`${LINES.length} messages · 1 record`, { exact: true }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it("offers Sumo Logic's presets in groups and runs yesterday in the search's time zone", async () => {
    await open(
      `/log-search/create?query=${encodeURIComponent(`_sourceCategory=${CATEGORY}`)}&startTime=-15m&timeZone=Asia/Kolkata`,
    );
    await page.getByRole('button', { name: /^Time range/ }).click();
    const relative = page.getByRole('group', { name: 'Recent' }).getByRole('button');
    const calendar = page.getByRole('group', { name: 'Calendar' }).getByRole('button');
    expect(await relative.count()).toBe(10);
    expect(await calendar.count()).toBe(3);
    expect((await calendar.allTextContents()).map((t) => t.replace(/[A-Z][a-z]{2} \d.*$/, ''))).toEqual([
      'Today',
      'Yesterday',
      'Previous week',
    ]);
    expect(await page.getByRole('button', { name: /^Last 15 minutes/ }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    await snap(page, '31-time-range-presets');

    const request = page.waitForRequest(
      (r) => r.url().endsWith('/api/v1/search/jobs') && r.method() === 'POST',
    );
    await page.getByRole('button', { name: /^Yesterday/ }).click();
    expect(await page.getByRole('button', { name: /^Time range/ }).textContent()).toContain('Yesterday');
    await expect.poll(() => new URL(page.url()).searchParams.get('startTime')).toBe('-1d@d');
    expect(new URL(page.url()).searchParams.get('endTime')).toBe('@d');
    await page.getByRole('button', { name: 'Run' }).click();
    const body = (await request).postDataJSON() as { from: number; to: number; timeZone: string };
    const yesterday = PRESETS.find((p) => p.label === 'Yesterday')!;
    expect(body).toMatchObject({
      ...resolveRange(yesterday, 'Asia/Kolkata', Date.now()),
      timeZone: 'Asia/Kolkata',
    });
    // Midnight in Kolkata is 18:30 UTC.
    expect(new Date(body.from).toISOString()).toMatch(/T18:30:00\.000Z$/);
    expect(body.to - body.from).toBe(86_400_000);
    await page.getByText(/^0 messages · 0 records$/).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
  });
});
