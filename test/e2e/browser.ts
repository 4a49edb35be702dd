import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN_PASSWORD, api, createSource, repoRoot, waitFor } from '../support/server.js';

/** Debian's chromium; Playwright never downloads a browser here. */
export const CHROMIUM = '/usr/bin/chromium';
export const screenshotDir = join(repoRoot, 'test-results/screenshots');

/** Launches headless chromium (Playwright gives every launch a new, empty profile directory). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (scripts/test.sh does)`);
  return chromium.launch({
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
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds web/dist when it is missing or older than the web sources (npm ci builds it already). */
export function ensureWebBuilt(): void {
  const index = join(repoRoot, 'web/dist/index.html');
  const sources = Math.max(newestMtime(join(repoRoot, 'web/src')), newestMtime(join(repoRoot, 'src/query')), newestMtime(join(repoRoot, 'src/protocol')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync(process.execPath, [join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', 'web', '--logLevel', 'warn'], {
    cwd: repoRoot,
    // vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: 'inherit',
  });
}

/** Removes the screenshots of failures from earlier runs, so the folder shows this run only. */
export function clearFailureScreenshots(): void {
  if (!existsSync(screenshotDir)) return;
  for (const name of readdirSync(screenshotDir)) if (name.startsWith('failed-')) rmSync(join(screenshotDir, name));
}

/** Saves a full-page screenshot under test-results/screenshots/ (look at them). */
export async function snap(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
}

/** Goes to `url`, signs in as admin when the sign-in form shows, and returns once the query editor is there. */
export async function openSignedIn(page: Page, url: string): Promise<void> {
  await page.goto(url);
  const signIn = page.getByRole('button', { name: 'Sign in' });
  const editor = page.getByRole('textbox', { name: 'Query' });
  await Promise.race([signIn.waitFor(), editor.waitFor()]);
  if (await signIn.isVisible()) {
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
    await signIn.click();
  }
  await editor.waitFor();
}

export interface SearchableLog {
  /** the source's name and category */
  name: string;
  category: string;
  /** the lines, sent in one body with multiline grouping off */
  lines: readonly string[];
  /** a range that holds every line */
  range: { from: number; to: number };
}

/** Sends the lines to a new source and waits until a search of its category over the range counts every one. */
export async function ingestSearchable(serverUrl: string, log: SearchableLog): Promise<void> {
  const source = await createSource(serverUrl, { name: log.name, category: log.category, multiline: false });
  const sent = await fetch(source.url, { method: 'POST', body: log.lines.join('\n') });
  if (sent.status !== 200) throw new Error(`sending ${log.name} answered ${sent.status}`);
  await waitFor(
    async () => {
      const job = await api<{ id: string }>(serverUrl, '/api/v1/search/jobs', {
        method: 'POST',
        body: { query: `_sourceCategory=${log.category}`, from: log.range.from, to: log.range.to, timeZone: 'UTC' },
      });
      for (;;) {
        const status = await api<{ state: string; messageCount: number }>(serverUrl, `/api/v1/search/jobs/${job.body.id}`);
        if (status.body.state !== 'GATHERING RESULTS' && status.body.state !== 'NOT STARTED') return status.body.messageCount === log.lines.length;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    60_000,
    `${log.name} to be searchable`,
  );
}
