// A 10-inch tablet in portrait and landscape (DESIGN.md §6), the help page, the 404 page, and the
// year's steps on the signed-out home page.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_GRADED_TRAINEE, DEMO_PASSWORD, TABLET_LANDSCAPE, TABLET_PORTRAIT, expectAccessible, expectHome, fillRegistration,
  launchBrowser, logIn, newTrainee, screenshot, url, withPage,
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

test('signed out, the home page explains the year\'s steps with the 学时, fees and deadlines the help page gives', async (t) => {
  await withPage(browser, t, async (page) => {
    const year = await (await page.request.get(url('/api/policy-year'))).json();
    const day = (iso) => { const [, m, d] = iso.split('-').map(Number); return `${m}月${d}日`; };
    const yuan = (fen) => (fen / 100).toFixed(2);
    await page.goto(url('/'));
    const steps = page.getByTestId('year-steps').locator('li');
    await steps.first().waitFor();
    const texts = await steps.allInnerTexts();
    assert.deepEqual(texts.map((s) => s.split('\n')[0].trim()), ['注册', '报名缴费', '选课', '学习', '学时证明'], 'the steps in order');
    assert.match(texts[1], new RegExp(`${day(year.registration_deadline)}前缴费.*${yuan(year.graded_fee_fen)}元.*${yuan(year.ungraded_fee_fen)}元`));
    assert.match(texts[2], new RegExp(`${year.graded_hours}学时.*${year.ungraded_hours}学时`));
    assert.match(texts[3], new RegExp(`${day(year.study_deadline)}前学完`));
    await expectAccessible(page, "the signed-out home page with the year's steps");
    await screenshot(page, 'home-signed-out-steps');

    await page.goto(url('/help'));
    const deadlines = page.locator('.faq', { hasText: '什么时候截止' });
    await deadlines.waitFor();
    assert.match(await deadlines.innerText(), new RegExp(`${day(year.registration_deadline)}.*${day(year.study_deadline)}`), 'the help page gives the same deadlines');
  }, TABLET_PORTRAIT);
});
