// A 10-inch tablet in portrait and landscape (DESIGN.md §6), the help page and the 404 page.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_GRADED_TRAINEE, DEMO_PASSWORD, TABLET_LANDSCAPE, TABLET_PORTRAIT, expectAccessible, expectHome, fillRegistration,
  launchBrowser, logIn, newTrainee, url, withPage,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** Nothing may stick out sideways: a tablet user should never have to scroll horizontally. */
async function assertNoHorizontalScroll(page) {
  const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(scroll <= client, `page is ${scroll}px wide in a ${client}px viewport`);
}

test('on a tablet in portrait a graded trainee registers and sees 42 学时', async (t) => {
  await withPage(browser, t, async (page) => {
    await fillRegistration(page, newTrainee('senior'));
    await page.waitForURL(url('/'));
    await expectHome(page, 42, '126.00');
    await assertNoHorizontalScroll(page);
    await expectAccessible(page, 'the home page in tablet portrait');
  }, TABLET_PORTRAIT);
});

test('on a tablet in landscape the demo trainee logs in and sees 42 学时', async (t) => {
  await withPage(browser, t, async (page) => {
    await page.goto(url('/login'));
    await assertNoHorizontalScroll(page);
    await expectAccessible(page, 'the sign-in page in tablet landscape');
    await logIn(page, DEMO_GRADED_TRAINEE, DEMO_PASSWORD);
    await expectHome(page, 42, '126.00');
    await assertNoHorizontalScroll(page);
  }, TABLET_LANDSCAPE);
});

test('the help page shows the policy help lines', async (t) => {
  await withPage(browser, t, async (page) => {
    await page.goto(url('/help'));
    // Inside <main>: the footer shows 968823 on every page, which proves nothing here.
    const main = page.locator('main');
    await main.getByText('968823').first().waitFor();
    await main.getByText('400-8877-945').first().waitFor();
    await expectAccessible(page, 'the help page');
  }, TABLET_PORTRAIT);
});

test('an unknown route shows the 404 page', async (t) => {
  await withPage(browser, t, async (page) => {
    await page.goto(url('/no-such-page-here'));
    await page.locator('main').getByRole('heading', { name: /页面不存在|404/ }).waitFor();
    await expectAccessible(page, 'the 404 page');
  });
});
