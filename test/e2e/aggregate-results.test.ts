/**
 * An aggregate search's results in chromium: the records table shows times as times in the
 * search's time zone (and the CSV export writes them as ISO-8601 in it), and a Messages tab beside
 * the records lists the messages the aggregate counted, paging in as the list scrolls.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatDate } from '../../src/query/interpreter/date-format.js';
import type { RunningServer } from '../../src/server/start-server.js';
import { sharedData, startTestServer } from '../support/server.js';
import { ensureWebBuilt, ingestSearchable, launchChromium, openSignedIn, snap } from './browser.js';

const WAIT = 30_000;
const LOG = join(sharedData, 'http-access/elastic-apache/apache_logs');
const LINES = readFileSync(LOG, 'utf8')
  .split('\n')
  .filter((l) => l !== '');
const CATEGORY = 'e2e/aggregate';
const RANGE = { from: Date.UTC(2015, 4, 17), to: Date.UTC(2015, 4, 21) };
const ZONE = 'Asia/Kolkata';
const HOUR = 3_600_000;
const KOLKATA_MS = 5.5 * HOUR;
const MONTHS: Record<string, number> = { May: 4 };
const number = new Intl.NumberFormat('en-US');

function timeOf(line: string): number {
  const m = /\[(\d+)\/(\w+)\/(\d+):(\d+):(\d+):(\d+) \+0000\]/.exec(line);
  if (m === null) throw new Error(`no time in ${line}`);
  return Date.UTC(
    Number(m[3]),
    MONTHS[m[2] ?? ''] ?? NaN,
    Number(m[1]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
  );
}

/** The hours of Kolkata's clock (+05:30, no daylight saving) that hold messages, as epoch ms. */
const SLICES = [
  ...new Set(LINES.map((l) => Math.floor((timeOf(l) + KOLKATA_MS) / HOUR) * HOUR - KOLKATA_MS)),
];

function searchPath(query: string): string {
  const params = new URLSearchParams({
    query,
    startTime: String(RANGE.from),
    endTime: String(RANGE.to),
    timeZone: ZONE,
  });
  return `/log-search/create?${params.toString()}`;
}

describe('aggregate results in chromium', { timeout: 120_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  async function open(query: string): Promise<void> {
    await openSignedIn(page, `${server.url}${searchPath(query)}`);
  }

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    await ingestSearchable(server.url, { name: 'e2e-aggregate', category: CATEGORY, lines: LINES, range: RANGE });
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      colorScheme: 'light',
      acceptDownloads: true,
    });
    page = await context.newPage();
    page.setDefaultTimeout(WAIT);
  }, 180_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page)
      await snap(page, `failed-aggregate-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows _timeslice as times in the search time zone in the table and the CSV export', async () => {
    expect(SLICES.length).toBeGreaterThan(50);
    await open(`_sourceCategory=${CATEGORY} | timeslice 1h | count by _timeslice`);
    const table = page.getByRole('table', { name: 'Records' });
    await table.waitFor();
    // The picker shows the link's zone (Chromium lists it as Asia/Calcutta).
    expect(await page.getByRole('combobox', { name: 'Time zone' }).inputValue()).toBe(ZONE);
    await expect.poll(() => table.locator('tbody tr').count()).toBe(SLICES.length);
    const column = (await table.getByRole('columnheader').allTextContents()).findIndex((h) =>
      h.startsWith('_timeslice'),
    );
    expect(column).toBeGreaterThanOrEqual(0);
    const cells = await table.locator(`tbody tr td:nth-child(${column + 1})`).allTextContents();
    // Kolkata's hours: 2015-05-17 15:30:00.000 UTC is 21:00 there.
    expect(cells.sort()).toEqual(SLICES.map((ms) => formatDate(ms, 'yyyy-MM-dd HH:mm:ss.SSS', ZONE)).sort());
    expect(cells.every((c) => / (?:[01]\d|2[0-3]):00:00\.000$/.test(c))).toBe(true);
    expect(cells.some((c) => /^\d{12,}$/.test(c))).toBe(false);
    await snap(page, '40-aggregate-timeslice-kolkata');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export records as CSV' }).click();
    const csv = readFileSync(await (await download).path(), 'utf8')
      .trim()
      .split('\r\n');
    const header = csv[0]!.split(',');
    const at = header.indexOf('_timeslice');
    expect(at).toBeGreaterThanOrEqual(0);
    const exported = csv.slice(1).map((line) => line.split(',')[at]);
    expect(exported.sort()).toEqual(
      SLICES.map((ms) => formatDate(ms, "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", ZONE)).sort(),
    );
    expect(exported[0]).toMatch(/\+05:30$/);
  });

  it('lists the messages of * | count by status in a Messages tab beside the aggregate', async () => {
    await open('* | count by status');
    await page.getByText(`${number.format(LINES.length)} messages · 1 record`, { exact: true }).waitFor();
    const tabs = page.getByRole('tablist', { name: 'Results' });
    const aggregates = tabs.getByRole('tab', { name: /^Aggregates/ });
    const messagesTab = tabs.getByRole('tab', { name: /^Messages/ });
    expect(await aggregates.getAttribute('aria-selected')).toBe('true');
    expect(await messagesTab.textContent()).toBe(`Messages${number.format(LINES.length)}`);
    await page.getByRole('table', { name: 'Records' }).waitFor();

    await messagesTab.click();
    expect(await messagesTab.getAttribute('aria-selected')).toBe('true');
    const list = page.getByRole('table', { name: 'Messages' });
    await list.waitFor();
    expect(await list.getAttribute('aria-rowcount')).toBe(String(LINES.length + 1));
    // Newest first: the first row is a line of the newest second, its time in Kolkata's clock.
    const newestTime = Math.max(...LINES.map(timeOf));
    const first = list.locator('[aria-rowindex="2"]:not(.loading)');
    await first.waitFor();
    const text = (await first.textContent()) ?? '';
    expect(text).toContain(formatDate(newestTime, 'yyyy-MM-dd HH:mm:ss', ZONE));
    expect(LINES.filter((l) => timeOf(l) === newestTime).some((l) => text.includes(l.slice(0, 60)))).toBe(
      true,
    );
    expect(await page.getByRole('table', { name: 'Records' }).isVisible()).toBe(false);
    await snap(page, '41-aggregate-messages-tab');

    // They page in as the list scrolls, to the last one.
    await page
      .getByLabel('Messages, scroll to load more')
      .evaluate((el: { scrollTop: number; scrollHeight: number }) => {
        el.scrollTop = el.scrollHeight;
      });
    await page.locator(`[aria-rowindex="${LINES.length + 1}"]:not(.loading)`).waitFor();

    // Back to the records (kept as they were), with the keyboard.
    await messagesTab.focus();
    await page.keyboard.press('ArrowLeft');
    expect(await aggregates.getAttribute('aria-selected')).toBe('true');
    await page.getByRole('table', { name: 'Records' }).waitFor();
    expect(
      await page.getByRole('table', { name: 'Records' }).locator('tbody td.num').allTextContents(),
    ).toEqual([String(LINES.length)]);
  });

  it('shows an aggregate that made no records as one, with its messages in the Messages tab', async () => {
    await open('* | count by status | where _count > 1000000');
    await page.getByText(`${number.format(LINES.length)} messages · 0 records`, { exact: true }).waitFor();
    const tabs = page.getByRole('tablist', { name: 'Results' });
    expect(await tabs.getByRole('tab', { name: /^Aggregates/ }).textContent()).toBe('Aggregates0');
    await page
      .getByText(`No records: the operators after the aggregate kept none of what it made from ${number.format(LINES.length)} messages (the Messages tab lists them).`)
      .waitFor();
    expect(await page.getByRole('table', { name: 'Messages' }).count()).toBe(0);
    await tabs.getByRole('tab', { name: /^Messages/ }).click();
    expect(await page.getByRole('table', { name: 'Messages' }).getAttribute('aria-rowcount')).toBe(String(LINES.length + 1));
  });

  it('filters the messages of an aggregate from the Messages tab before the aggregate', async () => {
    const query = '* | parse "HTTP/1.1\\" * " as status | count by status';
    await open(query);
    const statuses = LINES.map((l) => /HTTP\/1\.1" (\S+) /.exec(l)?.[1]).filter((s) => s !== undefined);
    const groups = new Set(statuses).size;
    await page.getByText(`${number.format(statuses.length)} messages · ${groups} records`, { exact: true }).waitFor();
    await page.getByRole('tablist', { name: 'Results' }).getByRole('tab', { name: /^Messages/ }).click();
    const fields = page.getByRole('navigation', { name: 'Fields' });
    await fields.getByRole('button', { name: 'Filter status = 404' }).click();
    await expect
      .poll(() => page.getByRole('textbox', { name: 'Query' }).textContent())
      .toBe('* | parse "HTTP/1.1\\" * " as status | where status = "404" | count by status');
    const notFound = statuses.filter((s) => s === '404').length;
    await page.getByText(`${number.format(notFound)} messages · 1 record`, { exact: true }).waitFor();
    expect(await page.getByRole('table', { name: 'Records' }).locator('tbody td.num').allTextContents()).toEqual([
      String(notFound),
    ]);
  });
});
