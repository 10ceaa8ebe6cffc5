// Every trade reaches its 学时 (issue 14.3), in headless Chromium at 1280×800 and on an 800×1280
// touch tablet: a new graded trainee of a trade without its own course (保洁员) is told on
// 我的学习 and on 选课 which trade course gets them to 42 学时 (the general course of its group,
// content/README.md), selects it with the five public courses and sees the plan complete; a
// 中式面点师 is pointed to the cook's course, in large text, with nothing wider than the screen.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  TABLET_PORTRAIT, expectAccessible, fillRegistration, launchBrowser, newTrainee, screenshot, url, withPage,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const course = (code) => JSON.parse(readFileSync(new URL(`../../content/courses/${code}.json`, import.meta.url)));
const SERVICE = course('trade-service-general');
const COOK = course('trade-chinese-cook');

const card = (page, title) => page.locator('article.course', { has: page.getByRole('heading', { name: title }) });
const planHours = (page) => page.locator('[data-testid=plan-hours]');
const pathNote = (page) => page.getByTestId('plan-path');

/** Narrows 选课 to one category (and trade); each change asks the server, the last answer counts. */
async function filter(page, category, trade = '') {
  await page.getByLabel('课程类别').selectOption(category);
  const answered = page.waitForResponse((r) => r.url().includes('/api/courses?') && r.url().includes(`category=${category}`)
    && r.url().includes('trade=') === (trade !== ''));
  await page.getByLabel('工种', { exact: true }).selectOption(trade);
  assert.equal((await answered).status(), 200);
}

async function select(page, title) {
  const selected = page.waitForResponse((r) => r.url().endsWith('/api/selections') && r.request().method() === 'POST');
  await card(page, title).getByRole('button', { name: '选课' }).click();
  assert.equal((await selected).status(), 201, `${title} is selected`);
  await card(page, title).getByText('已选', { exact: true }).waitFor();
}

test('a graded 保洁员 is shown the general service course and plans 42 学时 with it', async (t) => {
  assert.ok(SERVICE.trades.includes('保洁员'));
  await withPage(browser, t, async (page) => {
    await fillRegistration(page, { ...newTrainee('junior'), trade: '保洁员' });
    await page.waitForURL(url('/'));

    await page.goto(url('/study'));
    await planHours(page).filter({ hasText: '已选 0 / 应选 42 学时' }).waitFor();
    await pathNote(page).filter({ hasText: `您的工种是保洁员，可选的专业理论课是《${SERVICE.title}》12学时` }).waitFor();
    await pathNote(page).filter({ hasText: '公共知识课5门共30学时，加上这门专业理论课，正好42学时' }).waitFor();

    await page.getByRole('navigation').getByRole('link', { name: '选课' }).click();
    await page.getByRole('heading', { name: '选课', level: 1 }).waitFor();
    await pathNote(page).filter({ hasText: `《${SERVICE.title}》` }).waitFor();
    // The trainee's trade first: the general course, whose card names every trade it counts for.
    const first = page.locator('article.course').first();
    await first.getByRole('heading', { name: SERVICE.title }).waitFor();
    const trades = await first.getByTestId('course-trades').innerText();
    for (const trade of SERVICE.trades) assert.ok(trades.includes(trade), `${trade} in "${trades}"`);
    await expectAccessible(page, '选课 for a trade without its own course');
    await screenshot(page, 'trade-path-cleaner-catalogue');

    await filter(page, 'trade', '保洁员');
    await page.getByTestId('courses-found').filter({ hasText: '共 1 门课程' }).waitFor();
    await select(page, SERVICE.title);
    await filter(page, 'public');
    await page.getByTestId('courses-found').filter({ hasText: '共 5 门课程' }).waitFor();
    // textContent: a card off the screen is not rendered (content-visibility), and its
    // innerText is empty until it is scrolled near.
    const publics = await page.locator('article.course h3').allTextContents();
    assert.equal(publics.length, 5, `five public courses: ${publics}`);
    for (const title of publics) await select(page, title);
    await planHours(page).filter({ hasText: '已选 42 / 应选 42 学时' }).waitFor();
    await page.getByText('学时已够本年度要求').waitFor();

    // A complete plan needs no directions on 我的学习.
    await page.goto(url('/study'));
    await planHours(page).filter({ hasText: '已选 42 / 应选 42 学时' }).waitFor();
    await card(page, SERVICE.title).waitFor();
    assert.equal(await pathNote(page).count(), 0);
    await screenshot(page, 'trade-path-cleaner-study');
  }, { viewport: { width: 1280, height: 800 } });
});

test('on an 800×1280 tablet in large text a 中式面点师 is pointed to the cook\'s course', async (t) => {
  assert.ok(COOK.trades.includes('中式面点师'));
  await withPage(browser, t, async (page) => {
    await fillRegistration(page, { ...newTrainee('senior'), trade: '中式面点师' });
    await page.waitForURL(url('/'));
    await page.goto(url('/courses'));
    await planHours(page).filter({ hasText: '已选 0 / 应选 42 学时' }).waitFor();
    await pathNote(page).filter({ hasText: `您的工种是中式面点师，可选的专业理论课是《${COOK.title}》12学时` }).waitFor();
    await page.getByRole('button', { name: '大字' }).tap();
    const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    assert.ok(scroll <= client, `page is ${scroll}px wide in a ${client}px viewport`);
    await card(page, COOK.title).getByRole('button', { name: '选课' }).waitFor();
    await expectAccessible(page, '选课 of a 中式面点师 in large text');
    await screenshot(page, 'trade-path-pastry-tablet');
  }, TABLET_PORTRAIT);
});
