import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.js';
import { startTestServer } from '../support/server.js';
import { ensureWebBuilt, ingestSearchable, launchChromium, openSignedIn, snap } from './browser.js';

const WAIT = 30_000;
const CATEGORY = 'e2e/charts';
/** Nine days across a new year: long enough, and spanning years, for dates with the year. */
const RANGE = { from: Date.UTC(2024, 11, 27), to: Date.UTC(2025, 0, 5) };
const DAYS = 7;

/** Per day (from 28 Dec 2024): 3–5 × 200, 1–2 × 404, and a 500 every other day. */
function countsOn(day: number): Record<string, number> {
  return { '200': 3 + (day % 3), '404': 1 + (day % 2), '500': day % 2 === 0 ? 1 : 0 };
}

function logLines(): string[] {
  const lines: string[] = [];
  for (let d = 0; d < DAYS; d++) {
    const start = Date.UTC(2024, 11, 28 + d, 10);
    for (const [status, n] of Object.entries(countsOn(d))) {
      for (let i = 0; i < n; i++)
        lines.push(`${new Date(start + i * 60_000).toISOString()} GET /page status=${status}`);
    }
  }
  return lines;
}

function totalOf(status: string): number {
  let sum = 0;
  for (let d = 0; d < DAYS; d++) sum += countsOn(d)[status] ?? 0;
  return sum;
}

const BY_STATUS = `_sourceCategory=${CATEGORY} | parse "status=*" as status | timeslice 1d | count by _timeslice, status`;

function searchPath(query: string): string {
  const params = new URLSearchParams({
    query,
    startTime: String(RANGE.from),
    endTime: String(RANGE.to),
    timeZone: 'UTC',
  });
  return `/log-search/create?${params.toString()}`;
}

/** What the page's ECharts instance holds (read through the chart element's `quarryChart` hook). */
interface ChartState {
  series: { name: string; type: string; stack: string | undefined; hasArea: boolean; sum: number }[];
  legend: string[];
  minInterval: number | undefined;
}

interface Box {
  text: string;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

// Browser-side code is typed by hand: the test's tsconfig has no DOM types.
interface ChartElement {
  quarryChart?: {
    getOption(): {
      series: { name: string; type: string; stack?: string; areaStyle?: unknown; data: (number | null)[] }[];
      legend?: { data?: (string | { name: string })[] }[];
      yAxis?: { minInterval?: number }[];
    };
  };
  querySelectorAll(selector: string): ArrayLike<{
    textContent: string | null;
    getBoundingClientRect(): Box & { width: number; height: number };
  }>;
}

async function chartState(page: Page): Promise<ChartState> {
  return page.locator('.quarry-chart').evaluate((el: ChartElement) => {
    const option = el.quarryChart?.getOption();
    if (!option) throw new Error('no ECharts instance on the chart element');
    return {
      series: option.series.map((s) => ({
        name: s.name,
        type: s.type,
        stack: s.stack,
        hasArea: s.areaStyle !== undefined,
        sum: s.data.reduce<number>((a, v) => a + (typeof v === 'number' ? v : 0), 0),
      })),
      legend: (option.legend?.[0]?.data ?? []).map((d) => (typeof d === 'string' ? d : d.name)),
      minInterval: option.yAxis?.[0]?.minInterval,
    };
  });
}

/** Every piece of text the chart drew (axis labels, legend), with its box on the page. */
async function chartTexts(page: Page): Promise<Box[]> {
  return page.locator('.quarry-chart').evaluate((el: ChartElement) =>
    Array.from(el.querySelectorAll('svg text'))
      .map((t) => {
        const r = t.getBoundingClientRect();
        return {
          text: t.textContent ?? '',
          left: r.left,
          right: r.right,
          top: r.top,
          bottom: r.bottom,
          width: r.width,
        };
      })
      .filter((b) => b.text.trim() !== '' && b.width > 0),
  );
}

function overlaps(a: Box, b: Box): boolean {
  // A pixel of slack: neighbouring glyph boxes may touch.
  return a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
}

describe('charts of aggregates in chromium', { timeout: 120_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  async function open(query: string): Promise<void> {
    await openSignedIn(page, `${server.url}${searchPath(query)}`);
  }

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    await ingestSearchable(server.url, { name: 'e2e-charts', category: CATEGORY, lines: logLines(), range: RANGE });
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      colorScheme: 'light',
    });
    page = await context.newPage();
    page.setDefaultTimeout(WAIT);
  }, 180_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page)
      await snap(page, `failed-charts-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('draws count by _timeslice, status as one stacked series per status, with a legend and readable axes', async () => {
    await open(BY_STATUS);
    await page.getByRole('table', { name: 'Records' }).waitFor();
    await page.getByRole('img', { name: 'line chart of _count by _timeslice, status' }).waitFor();
    await expect.poll(async () => (await chartState(page)).series.length).toBe(3);
    const state = await chartState(page);
    expect(state.series.map((s) => s.name)).toEqual(['200', '404', '500']);
    expect(state.legend).toEqual(['200', '404', '500']);
    // Counts across the values of a group: stacked areas, each series summing to its status's count.
    for (const s of state.series) {
      expect(s).toMatchObject({ type: 'line', hasArea: true, stack: expect.any(String) as unknown });
      expect(s.sum).toBe(totalOf(s.name));
    }
    expect(state.minInterval).toBe(1);

    // The legend is drawn with the statuses' names; no two pieces of text overlap.
    await expect
      .poll(async () => (await chartTexts(page)).map((t) => t.text))
      .toEqual(expect.arrayContaining(['200', '404', '500']));
    const texts = await chartTexts(page);
    const clashes = texts.flatMap((a, i) =>
      texts
        .slice(i + 1)
        .filter((b) => overlaps(a, b))
        .map((b) => `${a.text} × ${b.text}`),
    );
    expect(clashes).toEqual([]);
    // Dates carry the year (the range spans a new year); counts are whole numbers.
    const labels = texts.map((t) => t.text).join(' | ');
    expect(labels).toContain('2024');
    expect(labels).toContain('2025');
    expect(labels).not.toMatch(/\d\.\d/);
    await snap(page, '40-chart-count-by-timeslice-status');
  });

  it('draws every column after transpose', async () => {
    await open(`${BY_STATUS} | transpose row _timeslice column status`);
    await page.getByRole('table', { name: 'Records' }).waitFor();
    await expect
      .poll(async () => (await chartState(page)).series.map((s) => s.name))
      .toEqual(['200', '404', '500']);
    const state = await chartState(page);
    expect(state.legend).toEqual(['200', '404', '500']);
    for (const s of state.series) expect(s.sum).toBe(totalOf(s.name));
    await snap(page, '41-chart-transpose');

    // The chart follows the theme: its text takes the dark theme's colour.
    const legendColor = () =>
      page
        .locator('.quarry-chart')
        .evaluate(
          (el: { quarryChart?: { getOption(): { legend: { textStyle: { color: string } }[] } } }) =>
            el.quarryChart?.getOption().legend[0]?.textStyle.color,
        );
    const light = await legendColor();
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    try {
      await expect.poll(legendColor).not.toBe(light);
      await snap(page, '42-chart-transpose-dark');
    } finally {
      await page.getByRole('button', { name: 'Switch to light theme' }).click();
    }
  });

  it('gives the histogram a y-axis of whole numbers and dates with the year over a long range', async () => {
    await open(`_sourceCategory=${CATEGORY}`);
    await page.getByRole('table', { name: 'Messages' }).waitFor();
    const ticks = page.locator('.histogram-y-axis span');
    await expect.poll(() => ticks.count()).toBeGreaterThanOrEqual(2);
    const values = await ticks.allTextContents();
    for (const v of values) expect(v).toMatch(/^\d+$/);
    expect(values).toContain('0');
    // A day's messages fall within minutes, so one bucket holds them: the busiest day has 7.
    expect(Math.max(...values.map(Number))).toBeGreaterThanOrEqual(7);
    const axis = await page.locator('.histogram-axis').textContent();
    expect(axis).toContain('2024');
    expect(axis).toContain('2025');
    await snap(page, '43-histogram-y-axis');
  });
});
