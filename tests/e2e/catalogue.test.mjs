// 选课 and practice (issue 4) in headless Chromium, at 1280×800 and on a 768×1024 touch tablet:
// find the trainee's trade course by search and filters, select it, see the plan's progress,
// answer its practice set with one answer wrong on purpose, see the score and the explanation,
// retry only the wrong answer, and see the attempt history.
//
// The right answers come from the course's data file, which the demo seed loads.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  DEMO_GRADED_TRAINEE, DEMO_PASSWORD, TABLET_PORTRAIT, expectAccessible, fillRegistration, launchBrowser, logIn,
  newTrainee, url, withPage,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const DESKTOP = { viewport: { width: 1280, height: 800 } };
const TABLET = { ...TABLET_PORTRAIT, viewport: { width: 768, height: 1024 } };

// The demo trainee's trade (server/src/seed.rs) and its course.
const TRADE = '汽车驾驶员';
const DRIVER = JSON.parse(readFileSync(new URL('../../content/courses/trade-driver.json', import.meta.url)));
const OTHER_TRADE = JSON.parse(readFileSync(new URL('../../content/courses/trade-electrician.json', import.meta.url)));

const card = (page, title) => page.locator('article.course', { has: page.getByRole('heading', { name: title }) });
const planHours = (page) => page.locator('[data-testid=plan-hours]');

async function assertNoHorizontalScroll(page) {
  const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(scroll <= client, `page is ${scroll}px wide in a ${client}px viewport`);
}

/** On 选课: narrows the catalogue to one trade's courses by title words, category and trade. */
async function search(page, words, trade) {
  await page.getByLabel('课程名称').fill(words);
  await page.getByLabel('课程类别').selectOption('trade');
  await page.getByLabel('工种', { exact: true }).selectOption(trade);
  const answered = page.waitForResponse((r) => r.url().includes('/api/courses?') && r.url().includes('trade='));
  await page.getByRole('button', { name: '搜索' }).click();
  assert.equal((await answered).status(), 200);
  await page.getByTestId('courses-found').filter({ hasText: '共 1 门课程' }).waitFor();
}

/** Selects the course on its card and waits for the server's yes. */
async function select(page, title) {
  const selected = page.waitForResponse((r) => r.url().endsWith('/api/selections') && r.request().method() === 'POST');
  await card(page, title).getByRole('button', { name: '选课' }).click();
  assert.equal((await selected).status(), 201, 'the course is selected');
  await card(page, title).getByText('已选', { exact: true }).waitFor();
}

/**
 * Answers the open practice attempt question by question, wrongly where `wrong(i)` says so,
 * by keyboard or by touch; checks the feedback of each wrong answer. Answers the stems
 * answered wrongly.
 */
async function answerAll(page, { wrong, keyboard }) {
  const missed = [];
  for (let i = 1; ; i++) {
    const count = await page.locator('.practice-count').innerText();
    const [, at, total] = count.match(/第 (\d+) \/ (\d+) 题/);
    assert.equal(Number(at), i);
    const stem = await page.locator('legend.practice-stem').innerText();
    const q = DRIVER.questions.find((x) => x.stem === stem);
    assert.ok(q, `the question is the course's: ${stem}`);
    const options = q.kind === 'true_false' ? 2 : q.options.length;
    let chosen = q.answer;
    if (wrong(i)) {
      // A wrong single answer, or a multiple answer with one right option missing.
      chosen = q.kind === 'multiple' ? q.answer.slice(1) : [[...Array(options).keys()].find((k) => !q.answer.includes(k))];
      missed.push(q);
    }
    const graded = page.waitForResponse((r) => /\/api\/practice\/\d+\/answers$/.test(r.url()));
    if (keyboard) {
      // The focus is on the first option already.
      if (q.kind === 'multiple') {
        for (let k = 0; k < options; k++) {
          if (chosen.includes(k)) await page.keyboard.press('Space');
          await page.keyboard.press('Tab');
        }
      } else {
        await page.keyboard.press('Space');
        for (let k = 0; k < chosen[0]; k++) await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Tab');
      }
      await page.keyboard.press('Enter');
    } else {
      const labels = page.locator('.practice-option');
      assert.equal(await labels.count(), options);
      for (const k of chosen) await labels.nth(k).tap();
      await page.getByRole('button', { name: '提交答案' }).tap();
    }
    assert.equal((await graded).status(), 200);
    const feedback = page.locator('.practice-feedback');
    await feedback.waitFor();
    if (wrong(i)) {
      assert.match(await feedback.innerText(), /回答错误/);
      assert.match(await feedback.innerText(), new RegExp(escape(q.explanation)), 'the explanation is shown');
      assert.ok(await page.locator('.practice-right').count() >= 1, 'the right options are marked');
      await expectAccessible(page, 'a practice question answered wrongly, with its explanation');
    } else {
      assert.match(await feedback.innerText(), /回答正确/);
    }
    const last = i === Number(total);
    const next = page.getByRole('button', { name: last ? '交卷，查看成绩' : '下一题' });
    if (keyboard) {
      assert.equal(await next.evaluate((b) => b === document.activeElement), true, 'the focus moves to what comes next');
      await page.keyboard.press('Enter');
    } else {
      await next.tap();
    }
    if (last) return { missed, total: Number(total) };
  }
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** From the catalogue card: the practice, one wrong answer, the score, the retry, the history. */
async function practise(page, { keyboard, enrolled }) {
  await card(page, DRIVER.title).getByRole('link', { name: '课后练习' }).click();
  await page.getByRole('heading', { name: '课后练习' }).waitFor();
  // The practice runs in a study session, like a lesson; only an enrolled trainee earns time.
  // Until the server's first answer the page says it is confirming, never that it counts.
  await page.locator(`[data-testid=study-status][data-state=${enrolled ? 'confirming' : 'no-credit'}]`).waitFor();
  if (!enrolled) await page.locator('[data-testid=study-status]', { hasText: '不计学时' }).waitFor();
  await page.getByText('还没有练习记录').waitFor();
  await page.getByRole('button', { name: '开始练习' }).click();

  const first = await answerAll(page, { wrong: (i) => i === 1, keyboard });
  assert.equal(first.total, DRIVER.questions.length);
  const score = Math.floor((100 * (first.total - 1)) / first.total);
  await page.getByTestId('practice-score').filter({ hasText: `${score} 分` }).waitFor();
  const review = page.locator('.practice-review');
  assert.match(await review.innerText(), new RegExp(escape(first.missed[0].explanation)), 'the wrong answer is explained');
  // The right answer with its text, not only its letter.
  const missed = first.missed[0];
  const rightText = missed.kind === 'true_false'
    ? (missed.answer[0] === 0 ? '正确' : '错误')
    : `${'ABCDEFGH'[missed.answer[0]]}. ${missed.options[missed.answer[0]]}`;
  assert.match(await review.innerText(), new RegExp(escape(rightText)), `the summary names the right option: ${rightText}`);
  await expectAccessible(page, "the practice's score and review");

  await page.locator('.practice').getByRole('button', { name: '重做错题' }).click();
  await page.locator('.practice-count', { hasText: '第 1 / 1 题' }).waitFor();
  assert.equal(await page.locator('legend.practice-stem').innerText(), first.missed[0].stem, 'only the wrong one is asked again');
  await answerAll(page, { wrong: () => false, keyboard });
  await page.getByTestId('practice-score').filter({ hasText: '100 分' }).waitFor();

  // Newest first; the first attempt can still be retried from there.
  const history = page.locator('.practice-history li');
  await history.first().filter({ hasText: /1 题 · 答对 1 题 · 100 分/ }).waitFor();
  assert.equal(await history.count(), 2);
  assert.match(await history.nth(1).innerText(), new RegExp(`${first.total} 题 · 答对 ${first.total - 1} 题 · ${score} 分`));
  await history.nth(1).getByRole('button', { name: '重做错题' }).waitFor();
}

test('at 1280×800 the demo trainee finds the trade course, selects it, and practises by keyboard', async (t) => {
  await withPage(browser, t, async (page) => {
    await logIn(page, DEMO_GRADED_TRAINEE, DEMO_PASSWORD);
    // The demo plan is complete with the trade course; take it out first.
    await page.goto(url('/study'));
    await planHours(page).filter({ hasText: '已选 42 / 应选 42 学时' }).waitFor();
    // 退选 asks first; 不退选 keeps the course.
    await card(page, DRIVER.title).getByRole('button', { name: '退选' }).click();
    const ask = card(page, DRIVER.title).getByRole('group');
    await ask.filter({ hasText: `确定要退选《${DRIVER.title}》吗` }).waitFor();
    assert.ok(await card(page, DRIVER.title).getByRole('button', { name: '不退选' }).evaluate((b) => b === document.activeElement), 'the safe answer has the focus');
    await page.keyboard.press('Enter');
    await ask.waitFor({ state: 'detached' });
    await planHours(page).filter({ hasText: '已选 42 / 应选 42 学时' }).waitFor();
    await card(page, DRIVER.title).getByRole('button', { name: '退选' }).click();
    const removed = page.waitForResponse((r) => r.url().includes('/api/selections/') && r.request().method() === 'DELETE');
    await card(page, DRIVER.title).getByRole('button', { name: '确定退选' }).click();
    assert.equal((await removed).status(), 200);
    await planHours(page).filter({ hasText: '已选 30 / 应选 42 学时' }).waitFor();
    assert.equal(await card(page, DRIVER.title).count(), 0, 'the card leaves the plan');
    await page.getByTestId('unselected').filter({ hasText: `已退选《${DRIVER.title}》` }).waitFor();
    await expectAccessible(page, '我的学习 after a 退选');

    await page.getByRole('navigation').getByRole('link', { name: '选课' }).click();
    await page.getByRole('heading', { name: '选课', level: 1 }).waitFor();
    await planHours(page).filter({ hasText: '已选 30 / 应选 42 学时' }).waitFor();
    // The trainee's own trade comes first in the whole catalogue.
    const first = page.locator('article.course').first();
    await first.waitFor();
    assert.match(await first.innerText(), new RegExp(TRADE));

    // Another trade's course: no 选课 button that could only be refused; the card says why.
    await search(page, '电工', '电工');
    await card(page, OTHER_TRADE.title).getByTestId('cannot-select').filter({ hasText: `其他工种的专业课程，您的工种（${TRADE}）不能选` }).waitFor();
    assert.equal(await card(page, OTHER_TRADE.title).getByRole('button', { name: '选课' }).count(), 0);
    await expectAccessible(page, "选课 showing another trade's course");

    await search(page, '驾驶', TRADE);
    await select(page, DRIVER.title);
    await planHours(page).filter({ hasText: '已选 42 / 应选 42 学时' }).waitFor();
    await page.getByText('学时已够本年度要求').waitFor();

    await practise(page, { keyboard: true, enrolled: true });
  }, DESKTOP);
});

test('on a 768×1024 tablet a new trainee of the same trade selects the course and practises by touch', async (t) => {
  await withPage(browser, t, async (page) => {
    await fillRegistration(page, { ...newTrainee('senior'), trade: TRADE });
    await page.waitForURL(url('/'));
    await page.goto(url('/courses'));
    await planHours(page).filter({ hasText: '已选 0 / 应选 42 学时' }).waitFor();
    await assertNoHorizontalScroll(page);
    await search(page, '驾驶', TRADE);
    await select(page, DRIVER.title);
    await planHours(page).filter({ hasText: '已选 12 / 应选 42 学时' }).waitFor();

    // 大字 keeps everything on the screen.
    await page.getByRole('button', { name: '大字' }).tap();
    await assertNoHorizontalScroll(page);
    await expectAccessible(page, '选课 in large text on a tablet');

    await practise(page, { keyboard: false, enrolled: false });
    await assertNoHorizontalScroll(page);

    await page.goto(url('/study'));
    await card(page, DRIVER.title).waitFor();
    await planHours(page).filter({ hasText: '已选 12 / 应选 42 学时' }).waitFor();
  }, TABLET);
});
