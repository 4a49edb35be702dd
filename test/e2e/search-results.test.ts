import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.js';
import { sharedData, startTestServer } from '../support/server.js';
import { ensureWebBuilt, ingestSearchable, launchChromium, openSignedIn, snap } from './browser.js';

const WAIT = 30_000;
const LOG = join(sharedData, 'http-access/elastic-apache/apache_logs');
const LINES = readFileSync(LOG, 'utf8').split('\n').filter((l) => l !== '');
const CATEGORY = 'e2e/apache';
const RANGE = { from: Date.UTC(2015, 4, 17), to: Date.UTC(2015, 4, 21) };

/** The search's term rule: a whole term, case-insensitive. */
function countTerm(term: string): number {
  const re = new RegExp(`(^|[^a-z0-9])${term}([^a-z0-9]|$)`, 'i');
  return LINES.filter((l) => re.test(l)).length;
}

/** What `parse "\" * "` extracts: the text between the first `" ` and the next space. */
function statusOf(line: string): string | undefined {
  const at = line.indexOf('" ');
  if (at < 0) return undefined;
  const rest = line.slice(at + 2);
  const end = rest.indexOf(' ');
  return end < 0 ? undefined : rest.slice(0, end);
}

function searchPath(query: string): string {
  const params = new URLSearchParams({ query, startTime: String(RANGE.from), endTime: String(RANGE.to), timeZone: 'UTC' });
  return `/log-search/create?${params.toString()}`;
}

const number = new Intl.NumberFormat('en-US');

/** Scrolls the message list (the test's tsconfig has no DOM types: the element is typed by hand). */
async function scrollList(page: Page, to: 'start' | 'end'): Promise<void> {
  await page
    .getByLabel('Messages, scroll to load more')
    .evaluate((el: { scrollTop: number; scrollHeight: number }, end: boolean) => {
      el.scrollTop = end ? el.scrollHeight : 0;
    }, to === 'end');
}

describe('search results in chromium (apache access log)', { timeout: 120_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  async function open(query: string): Promise<void> {
    await openSignedIn(page, `${server.url}${searchPath(query)}`);
  }

  async function statusText(messages: number, records: number): Promise<void> {
    await page.getByText(`${number.format(messages)} messages · ${number.format(records)} record${records === 1 ? '' : 's'}`, { exact: true }).waitFor();
  }

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    await ingestSearchable(server.url, { name: 'e2e-apache', category: CATEGORY, lines: LINES, range: RANGE });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', acceptDownloads: true });
    page = await context.newPage();
    page.setDefaultTimeout(WAIT);
  }, 180_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) await snap(page, `failed-results-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the keyword count, a histogram, highlighted virtualised messages that page in as they scroll', async () => {
    const expected = countTerm('kibana');
    expect(expected).toBeGreaterThan(0);
    await open('kibana');
    await statusText(expected, 0);
    await expect.poll(() => page.locator('.histogram-bar').count()).toBeGreaterThan(3);
    const list = page.getByRole('table', { name: 'Messages' });
    await list.locator('mark').first().waitFor();
    expect((await list.locator('mark').first().textContent())?.toLowerCase()).toBe('kibana');
    // Virtualised: far fewer rows in the DOM than messages.
    const rows = await list.getByRole('row').count();
    expect(rows).toBeGreaterThan(5);
    expect(rows).toBeLessThan(60);
    expect(await list.getAttribute('aria-rowcount')).toBe(String(expected + 1));
    await snap(page, '20-results-keyword');

    // A row expands to all its fields.
    await scrollList(page, 'start');
    await page.getByRole('button', { name: 'Expand message 1', exact: true }).click();
    const expanded = page.locator('.message-row.expanded');
    await expanded.waitFor();
    expect(await expanded.locator('dt').allTextContents()).toContain('_sourcecategory');
    await snap(page, '21-message-expanded');
  });

  it('narrows the range by dragging across the histogram', async () => {
    await open('kibana');
    await statusText(countTerm('kibana'), 0);
    const box = await page.locator('.histogram svg').boundingBox();
    if (!box) throw new Error('no histogram');
    const rerun = page.waitForRequest((r) => r.url().endsWith('/api/v1/search/jobs') && r.method() === 'POST');
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const body = (await rerun).postDataJSON() as { from: number; to: number };
    const span = RANGE.to - RANGE.from;
    expect(Math.abs(body.from - (RANGE.from + span * 0.25))).toBeLessThan(span * 0.02);
    expect(Math.abs(body.to - (RANGE.from + span * 0.5))).toBeLessThan(span * 0.02);
    await expect.poll(() => new URL(page.url()).searchParams.get('startTime')).toBe(String(body.from));
    const inRange = LINES.filter((l) => /(^|[^a-z0-9])kibana([^a-z0-9]|$)/i.test(l)).filter((l) => {
      const m = /\[(\d+)\/May\/2015:(\d+):(\d+):(\d+)/.exec(l);
      const t = m ? Date.UTC(2015, 4, Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])) : 0;
      return t >= body.from && t < body.to;
    }).length;
    await statusText(inRange, 0);
    await snap(page, '22-histogram-narrowed');

    // With the keyboard: the first bucket, then Enter narrows to it.
    const histogram = page.getByRole('img', { name: /^Histogram of/ });
    await histogram.focus();
    await page.keyboard.press('Home');
    const keyed = page.waitForRequest((r) => r.url().endsWith('/api/v1/search/jobs') && r.method() === 'POST');
    await page.keyboard.press('Enter');
    const narrowed = (await keyed).postDataJSON() as { from: number; to: number };
    // (Buckets are aligned to round sizes: the first may start a little before the range.)
    expect(narrowed.from).toBeGreaterThanOrEqual(body.from - 3_600_000);
    expect(narrowed.to - narrowed.from).toBeLessThan(body.to - body.from);
    expect(narrowed.to).toBeLessThan(body.to);
  });

  it('adds a filter from the field browser and re-runs', async () => {
    const query = `_sourceCategory=${CATEGORY} | parse "\\" * " as status`;
    await open(query);
    await statusText(LINES.length, 0);
    const fields = page.getByRole('navigation', { name: 'Fields' });
    await fields.getByRole('region', { name: 'Field status' }).waitFor();
    await snap(page, '23-field-browser');
    await fields.getByRole('button', { name: 'Filter status = 404' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Query' }).textContent()).toBe(`${query} | where status = "404"`);
    await statusText(LINES.filter((l) => statusOf(l) === '404').length, 0);

    // Metadata goes into the scope.
    await statusText(LINES.filter((l) => statusOf(l) === '404').length, 0);
    await fields.getByRole('button', { name: 'Filter _sourcehost = 127.0.0.1' }).click();
    await expect
      .poll(() => page.getByRole('textbox', { name: 'Query' }).textContent())
      .toBe(`_sourceCategory=${CATEGORY} _sourceHost=127.0.0.1 | parse "\\" * " as status | where status = "404"`);
    // A term the scope has already is not added twice.
    await statusText(LINES.filter((l) => statusOf(l) === '404').length, 0);
    await fields.getByRole('button', { name: `Filter _sourcecategory = ${CATEGORY}` }).click();
    await statusText(LINES.filter((l) => statusOf(l) === '404').length, 0);
    expect(await page.getByRole('textbox', { name: 'Query' }).textContent()).toBe(
      `_sourceCategory=${CATEGORY} _sourceHost=127.0.0.1 | parse "\\" * " as status | where status = "404"`,
    );
    await snap(page, '24-field-filter-applied');
  });

  it('shows parsed fields as columns of the messages, kept for the next search, and says what the counts are over', async () => {
    const query = `_sourceCategory=${CATEGORY} | parse "\\" * " as status`;
    await open(query);
    await statusText(LINES.length, 0);
    const fields = page.getByRole('navigation', { name: 'Fields' });
    // 200 of the messages are loaded, and the field browser says its counts are over those.
    await fields.getByRole('heading', { name: `Fields counted in 200 of ${number.format(LINES.length)} messages (those loaded)` }).waitFor();
    const list = page.getByRole('table', { name: 'Messages' });
    expect(await list.getByRole('columnheader').allTextContents()).toEqual(['Time', 'Message']);
    await fields.getByRole('checkbox', { name: 'Show status as a column' }).check();
    await list.getByRole('columnheader', { name: 'status' }).waitFor();
    await snap(page, '27-field-as-column');

    /** Each loaded row's status cell holds what the parse takes from that row's message. */
    async function expectStatusColumn(): Promise<void> {
      const rows = list.locator('.message-slot:not(.expanded-slot) [role="row"]:not(.loading)');
      await rows.first().waitFor();
      const n = await rows.count();
      expect(n).toBeGreaterThan(5);
      for (let i = 0; i < n; i++) {
        const cells = rows.nth(i).getByRole('cell');
        const raw = (await rows.nth(i).locator('.raw').textContent()) ?? '';
        expect(await cells.nth(1).textContent()).toBe(statusOf(raw) ?? '');
      }
    }
    await expectStatusColumn();

    // The next search (and the next visit) shows the same columns.
    await open(`${query} | where status = "200"`);
    await statusText(LINES.filter((l) => statusOf(l) === '200').length, 0);
    await list.getByRole('columnheader', { name: 'status' }).waitFor();
    await expectStatusColumn();
    expect(await fields.getByRole('checkbox', { name: 'Show status as a column' }).isChecked()).toBe(true);

    // Taken out from its header.
    await list.getByRole('button', { name: 'Remove column status' }).click();
    expect(await list.getByRole('columnheader').allTextContents()).toEqual(['Time', 'Message']);
    expect(await fields.getByRole('checkbox', { name: 'Show status as a column' }).isChecked()).toBe(false);

    // When every message is loaded, the counts are over all of them.
    await open(`${query} | where status = "206"`);
    const partial = LINES.filter((l) => statusOf(l) === '206').length;
    expect(partial).toBeLessThan(200);
    await statusText(partial, 0);
    await fields.getByRole('heading', { name: `Fields in all ${number.format(partial)} messages` }).waitFor();
    expect(await fields.getByRole('region', { name: 'Field status' }).getByRole('heading').textContent()).toBe(`status${number.format(partial)}`);
  });

  it('shows an aggregate as a sortable table and a chart, and exports the records', async () => {
    await open(`_sourceCategory=${CATEGORY} | parse "\\" * " as status | count by status`);
    await statusText(LINES.length, 8);
    const table = page.getByRole('table', { name: 'Records' });
    await table.waitFor();
    const bodyRows = table.locator('tbody tr');
    expect(await bodyRows.count()).toBe(8);
    const counts = (await table.locator('tbody td.num').allTextContents()).map(Number);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(LINES.length);
    expect(await page.getByRole('img', { name: 'bar chart of _count by status' }).isVisible()).toBe(true);
    await snap(page, '25-aggregate-bar');

    await table.getByRole('button', { name: '_count' }).click();
    expect(await table.getByRole('columnheader', { name: '_count' }).getAttribute('aria-sort')).toBe('descending');
    const sorted = (await table.locator('tbody td.num').allTextContents()).map(Number);
    expect(sorted).toEqual([...sorted].sort((a, b) => b - a));
    expect(await bodyRows.first().locator('td').first().textContent()).toBe('200');

    await page.getByRole('button', { name: 'Pie', exact: true }).click();
    await page.getByRole('img', { name: 'pie chart of _count by status' }).waitFor();
    await snap(page, '26-aggregate-pie');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export records as CSV' }).click();
    const file = await (await download).path();
    const csv = readFileSync(file, 'utf8').trim().split('\r\n');
    expect(csv[0]?.split(',')).toEqual(expect.arrayContaining(['status', '_count']));
    expect(csv.length).toBe(1 + 8);
  });

  it('pages messages in as the list scrolls to the end and exports every message as JSON', async () => {
    await open(`_sourceCategory=${CATEGORY}`);
    await statusText(LINES.length, 0);
    // Scrolling to the end loads the last page.
    const lastPage = page.waitForRequest((r) => /\/messages\?offset=(\d+)/.exec(r.url())?.[1] === String(LINES.length - (LINES.length % 200 || 200)) && r.url().includes('/messages?'));
    await scrollList(page, 'end');
    await lastPage;
    await page.locator(`[aria-rowindex="${LINES.length + 1}"]:not(.loading)`).waitFor();

    await snap(page, '29-messages-scrolled-to-end');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export messages as JSON' }).click();
    const file = await (await download).path();
    const rows = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>[];
    expect(rows.length).toBe(LINES.length);
    expect(new Set(rows.map((r) => r._raw)).size).toBeGreaterThan(9000);
  });

  it('reads well at 1920×1080 in the dark theme', async () => {
    const dark = await browser.newContext({ viewport: { width: 1920, height: 1080 }, colorScheme: 'dark' });
    const previous = page;
    try {
      page = await dark.newPage();
      page.setDefaultTimeout(WAIT);
      await page.addInitScript("localStorage.setItem('quarry.theme', 'dark')");
      await open('kibana');
      await statusText(countTerm('kibana'), 0);
      await snap(page, '27-results-1920-dark');
      await open(`_sourceCategory=${CATEGORY} | parse "\\" * " as status | count by status`);
      await statusText(LINES.length, 8);
      await snap(page, '28-aggregate-1920-dark');
    } finally {
      page = previous;
      await dark.close();
    }
  });
});
