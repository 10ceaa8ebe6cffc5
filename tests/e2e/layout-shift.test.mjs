// Layout stability and heading order of the pages `make lighthouse` scores (issue 14, item 6):
// home, 选课 and 我的学习, signed out and signed in, at 1280×800, 800×1280 and Lighthouse's
// phone (412×823), each opened fresh on a slowed page (4× CPU, 150 ms round trips, as the
// mobile preset simulates) so that the session, the page's data and the covers arrive in the
// order a phone sees them. The browser's own layout-shift entries are summed, and the test
// names what moved when the sum reaches Lighthouse's "good" limit of 0.1 (its
// layout-shifts audit cannot name them with Debian's Chromium). Screenshots of each loaded
// page go to tests/e2e/artifacts/.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_GRADED_TRAINEE, DEMO_PASSWORD, TABLET_LANDSCAPE, TABLET_PORTRAIT, expectAccessible, launchBrowser, logIn,
  screenshot, url, withPage,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const PHONE = { ...TABLET_PORTRAIT, viewport: { width: 412, height: 823 }, deviceScaleFactor: 1.75 };
const SIZES = [['landscape', TABLET_LANDSCAPE], ['portrait', TABLET_PORTRAIT], ['phone', PHONE]];
const PAGES = [
  // [name, path, signed in, what shows the page's data has come]
  ['home', '/', false, '[data-testid=year-steps]'],
  ['courses', '/courses', false, 'article.course'],
  ['courses-trainee', '/courses', true, 'article.course'],
  ['study', '/study', true, 'article.course'],
];

/** Records every layout shift not caused by input from the first paint on, with what moved. */
function recordShifts() {
  window.__shifts = [];
  const name = (n) => (!n ? '?' : n.nodeType === 1
    ? `${n.tagName.toLowerCase()}${n.className ? `.${String(n.className).trim().replace(/\s+/g, '.')}` : ''} "${(n.textContent ?? '').trim().slice(0, 20)}"`
    : `text "${(n.textContent ?? '').trim().slice(0, 20)}"`);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.hadRecentInput) continue;
      const moved = e.sources.map((s) => `${name(s.node)} y ${Math.round(s.previousRect.y)}→${Math.round(s.currentRect.y)}`);
      window.__shifts.push({ at: Math.round(e.startTime), value: e.value, moved });
    }
  }).observe({ type: 'layout-shift', buffered: true });
}

/** Headings that skip a level going down (an h3 right under the h1), as Lighthouse's
 * heading-order audit finds them. */
function skippedHeadings() {
  let last = 0;
  const skipped = [];
  for (const h of document.querySelectorAll('main :is(h1, h2, h3, h4, h5, h6)')) {
    const level = Number(h.tagName[1]);
    if (h.getClientRects().length && level > last + 1) skipped.push(`h${level} "${h.textContent.trim().slice(0, 20)}" after h${last}`);
    if (h.getClientRects().length) last = level;
  }
  return skipped;
}

for (const [size, device] of SIZES) {
  test(`${size}: home, 选课 and 我的学习 do not move as their data arrives, and their headings keep order`, async (t) => {
    for (const [name, path, signedIn, loaded] of PAGES) {
      await withPage(browser, t, async (page) => {
        if (signedIn) await logIn(page, DEMO_GRADED_TRAINEE, DEMO_PASSWORD);
        await page.addInitScript(recordShifts);
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
        await cdp.send('Network.enable');
        await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 150, downloadThroughput: -1, uploadThroughput: -1 });
        await page.goto(url(path));
        await page.locator(loaded).first().waitFor({ timeout: 30_000 });
        if (signedIn) await page.locator('header .nav-user').waitFor();
        await page.waitForLoadState('networkidle');
        await page.waitForTimeout(500);
        const shifts = await page.evaluate(() => window.__shifts);
        const total = shifts.reduce((sum, s) => sum + s.value, 0);
        t.diagnostic(`${name} at ${size}: layout shift ${total.toFixed(3)} in ${shifts.length} shifts`);
        assert.ok(total < 0.1, `${name} at ${size}: layout shift ${total.toFixed(3)}: ${shifts.map((s) => `${s.at} ms ${s.value.toFixed(3)}: ${s.moved.join(', ')}`).join(' | ')}`);
        assert.deepEqual(await page.evaluate(skippedHeadings), [], `${name} at ${size}: headings skip a level`);
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
        await expectAccessible(page, `${name} at ${size}`);
        await screenshot(page, `layout-shift-${name}-${size}`);
      }, device);
    }
  });
}
