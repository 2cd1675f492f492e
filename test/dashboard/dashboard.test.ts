import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { dashboardData } from '../../src/dashboard/data.js';
import { renderDashboard } from '../../src/dashboard/page.js';
import { UPLOT_JS } from '../../src/dashboard/uplot.generated.js';
import { detectDrift } from '../../src/history/drift.js';
import { hasChromium, launchBrowser } from '../helpers/browser.js';
import { ROOT } from '../helpers/cli.js';
import { commitOf, RAMP, STEP3_AT, STEP8_AT, steppedHistory } from '../history/synthetic.js';

const tmp = mkdtempSync(join(tmpdir(), 'perfgate-dashboard-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function steppedPage(): string {
  const runs = steppedHistory();
  // The gate flagged the +8 % step's run itself as a regression.
  runs[STEP8_AT]!.endpoints[1]!.verdict = 'regression';
  // Workload text reaches the page: it must stay text.
  runs.at(-1)!.endpoints.push({
    ...runs.at(-1)!.endpoints[0]!,
    endpoint: 'GET /</script><b>x',
    weight: 0.001,
  });
  return renderDashboard(dashboardData(detectDrift(runs), '2026-04-07T00:00:00.000Z', 'shop'));
}

describe('dashboard page', () => {
  it('is self-contained: no external scripts, styles or fetches; the library is inlined', () => {
    const html = steppedPage();
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+href=/i);
    expect(html).not.toMatch(/\bfetch\(|XMLHttpRequest/);
    expect(html).toContain(UPLOT_JS.slice(0, 200));
    // Only one literal </script> per script element: the endpoint name is escaped in the island.
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    const island = /<script type="application\/json" id="perfgate-data">(.*?)<\/script>/s.exec(
      html,
    )![1]!;
    const data = JSON.parse(island) as { endpoints: { name: string }[] };
    expect(data.endpoints.map((e) => e.name)).toContain('GET /</script><b>x');
  });

  it('the committed uPlot module matches the installed package', async () => {
    const { execFileSync } = await import('node:child_process');
    const fresh = execFileSync(process.execPath, [
      join(ROOT, 'scripts/vendor-uplot.mjs'),
      '--print',
    ]);
    expect(readFileSync(join(ROOT, 'src/dashboard/uplot.generated.ts'), 'utf8')).toBe(
      fresh.toString(),
    );
  });
});

// CI installs chromium (.ci/run); there a missing browser is a failure, not a skip.
const browserTest = hasChromium() || process.env.CI === 'true' ? it : it.skip;

describe('dashboard in headless Chromium', () => {
  browserTest(
    'renders a chart per series with the change points and regressions marked and linked',
    async () => {
      expect(hasChromium(), 'chromium missing: apt-get install -y chromium').toBe(true);
      const file = join(tmp, 'index.html');
      writeFileSync(file, steppedPage());
      const browser = await launchBrowser();
      try {
        const page = await browser.context.newPage();
        const requests: string[] = [];
        const errors: string[] = [];
        page.on('request', (r) => requests.push(r.url()));
        page.on('pageerror', (e) => errors.push(e.message));
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text());
        });
        await page.goto(pathToFileURL(file).href);
        await page.waitForSelector('body[data-ready="1"]');
        expect(
          await page.evaluate(() =>
            (globalThis as unknown as { perfgateRenderAll(): number }).perfgateRenderAll(),
          ),
        ).toBe(5);
        // total + 3 endpoints + the odd one, each a uPlot canvas.
        expect(await page.locator('section.chart').count()).toBe(5);
        expect(await page.locator('section.chart .uplot canvas').count()).toBe(5);
        expect(await page.locator('#table tbody tr').count()).toBe(5);
        const marks = async (endpoint: string, selector: string) =>
          page
            .locator(`section.chart[data-endpoint="${endpoint}"] ${selector}`)
            .evaluateAll((els) =>
              els.map((e) => [e.getAttribute('data-commit'), e.getAttribute('href')]),
            );
        expect(await marks('GET /api/search', '.cp-marker')).toEqual([
          [
            commitOf(17, STEP3_AT),
            expect.stringContaining(
              `/compare/${commitOf(17, STEP3_AT - 1)}...${commitOf(17, STEP3_AT)}`,
            ),
          ],
        ]);
        expect((await marks('GET /api/items', '.cp-marker'))[0]![0]).toBe(commitOf(17, STEP8_AT));
        expect(await marks('GET /api/items', '.reg-marker')).toEqual([
          [
            commitOf(17, STEP8_AT),
            `https://github.com/example/shop/commit/${commitOf(17, STEP8_AT)}`,
          ],
        ]);
        const ramp = await marks('POST /api/cart', '.cp-marker');
        expect(ramp).toHaveLength(1);
        // Markers sit inside their plot, at the change's position.
        const box = await page
          .locator('section.chart[data-endpoint="GET /api/search"] .u-over')
          .boundingBox();
        const mark = await page
          .locator('section.chart[data-endpoint="GET /api/search"] .cp-marker')
          .boundingBox();
        expect(mark!.x).toBeGreaterThan(box!.x + box!.width * 0.2);
        expect(mark!.x).toBeLessThan(box!.x + box!.width * 0.5);
        // The endpoint name is shown as text, not markup.
        expect(await page.locator('section.chart h2', { hasText: '</script><b>x' }).count()).toBe(
          1,
        );
        expect(await page.locator('section.chart h2 b').count()).toBe(0);
        expect(requests.every((u) => u.startsWith('file:') || u.startsWith('data:'))).toBe(true);
        expect(errors).toEqual([]);
        mkdirSync(join(ROOT, '.tmp'), { recursive: true });
        await page.screenshot({ path: join(ROOT, '.tmp', 'dashboard.png'), fullPage: false });
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});

void RAMP;
