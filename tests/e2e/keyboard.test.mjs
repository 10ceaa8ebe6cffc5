// The whole year's path with the keyboard only (issue 14, item 6), at desktop and tablet sizes:
// register (the unit found by typing its name), pay in the simulator's cashier, select a course,
// study a text lesson and answer its anti-idle check, and practise. Every step is Tab (or
// Shift+Tab) to a control, then typing, the arrow keys, Space or Enter: no click, no tap, no
// `fill`, so a control that the keyboard cannot reach or work fails here.
//
// As in study.test.mjs the study part moves two clocks together: the page's (Playwright's fake
// timers, which fire the player's heartbeat) and the server's test clock.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TABLET_PORTRAIT, expectAccessible, isHeartbeat, launchBrowser, newTrainee, screenshot, serverClock, url,
  waitForLessonCredited, withPage,
  pauseClock,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const PAYSIM_URL = (process.env.PAYSIM_BASE_URL ?? 'http://127.0.0.1:8090').replace(/\/$/, '');
const DESKTOP = { viewport: { width: 1280, height: 800 } };
const BEAT_SECS = 20;
const UNIT = '泉州市鲤城区机关事务服务中心';

/** What the focused element is called: its label for a form control, else its text. */
function focusedName(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return '';
    const label = el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`)?.innerText : '';
    return (el.getAttribute('aria-label') || label || el.innerText || el.value || '').trim();
  });
}

/** Presses Tab until the focus is on an element matching `selector` whose name matches `name`
 * (a string is an exact match); fails after `max` presses. */
async function tabTo(page, selector, name, max = 150) {
  const wanted = typeof name === 'string' ? (n) => n === name : (n) => (name ? name.test(n) : true);
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const here = await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector);
    if (here && wanted(await focusedName(page))) return;
  }
  throw new Error(`Tab never reached ${selector} ${name ?? ''} (${max} presses)`);
}

/** Tabs to the field labelled `label` (its id is `id`) and types `value` into it. */
async function typeInto(page, id, value) {
  await tabTo(page, `#${id}`);
  await page.keyboard.type(value);
}

/** Tabs to the select `#id` and moves through its options with ArrowDown until `accept` holds
 * for the chosen option's text. */
async function chooseWithArrows(page, id, accept) {
  await tabTo(page, `#${id}`);
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('ArrowDown');
    const text = await page.evaluate((s) => {
      const select = document.querySelector(s);
      return select.selectedIndex > 0 ? select.options[select.selectedIndex].text : '';
    }, `#${id}`);
    if (text && accept(text)) return text;
  }
  throw new Error(`no option of #${id} was accepted`);
}

/** The address of the first lesson link on 我的学习 whose line says `kind` (图文, 练习). */
async function lessonHref(page, kind) {
  const item = page.locator('.courses .lessons li', { hasText: `${kind} · ` }).first();
  await item.waitFor();
  return item.locator('a').getAttribute('href');
}

/** Tabs to the link or button named `name` and presses Enter on it. */
async function activate(page, name, selector = 'a, button') {
  await tabTo(page, selector, name);
  await page.keyboard.press('Enter');
}

/** One heartbeat interval on both clocks, with a key press as the reader's activity. */
async function beat(page) {
  await serverClock(page, BEAT_SECS);
  const reply = page.waitForResponse(isHeartbeat);
  await page.keyboard.press('ArrowDown'); // reading: scrolling with the keyboard
  await page.clock.runFor(BEAT_SECS * 1000);
  const res = await reply;
  assert.equal(res.status(), 200, 'the heartbeat is accepted');
  const body = await res.json();
  await waitForLessonCredited(page, body.lesson_credited_secs);
  return body;
}

for (const [size, options] of [['desktop', DESKTOP], ['tablet', TABLET_PORTRAIT]]) {
  test(`${size}: register, pay, study with a check answered and practise, by keyboard only`, async (t) => {
    await withPage(browser, t, async (page) => {
      await page.clock.install();
      const trainee = newTrainee('senior');

      // 注册: every field by Tab and typing; the unit found by a few characters of its name.
      await page.goto(url('/register'));
      await typeInto(page, 'id_number', trainee.id_number);
      await typeInto(page, 'name', trainee.name);
      await typeInto(page, 'phone', trainee.phone);
      await typeInto(page, 'password', trainee.password);
      await typeInto(page, 'password_confirm', trainee.password);
      await typeInto(page, 'unit_search', '鲤城区机关事务');
      assert.equal(await page.locator('#unit_id option:not([value=""])').count(), 1, 'the search leaves the one unit');
      await chooseWithArrows(page, 'unit_id', (text) => text.startsWith(UNIT));
      await chooseWithArrows(page, 'employment_type', () => true);
      await chooseWithArrows(page, 'trade', (text) => text === '电工');
      await chooseWithArrows(page, 'grade', (text) => text.includes('高级工'));
      await screenshot(page, `keyboard-${size}-register`);
      await tabTo(page, 'button[type=submit]');
      await page.keyboard.press('Enter');
      await page.waitForURL(url('/'));

      // 报名缴费 and the cashier's 确认支付.
      await activate(page, '报名缴费', 'a');
      await page.waitForURL(url('/enrol'));
      await activate(page, '去缴费', 'button');
      await page.waitForURL((u) => u.href.startsWith(`${PAYSIM_URL}/cashier/`));
      await activate(page, '确认支付', 'button');
      await page.waitForURL((u) => u.href.startsWith(url('/pay/return')));
      await page.locator('[data-testid=pay-result][data-status=paid]').waitFor();

      // 选课: the first course that can be selected.
      await activate(page, '选课', 'nav a');
      await page.getByRole('heading', { name: '选课', level: 1 }).waitFor();
      await page.locator('article.course').first().waitFor();
      const selected = page.waitForResponse((r) => r.url().endsWith('/api/selections') && r.request().method() === 'POST');
      await activate(page, '选课', 'article.course button');
      assert.equal((await selected).status(), 201, 'the course is selected');

      // 我的学习 → a text lesson; its check answered by Tab and Enter.
      await activate(page, '我的学习', 'nav a');
      await page.locator('.courses .lessons li').first().waitFor();
      await serverClock(page, 0, true);
      try {
        const started = page.waitForResponse((r) => r.url().endsWith('/api/study/sessions') && r.request().method() === 'POST');
        await tabTo(page, `a[href="${await lessonHref(page, '图文')}"]`);
        await page.keyboard.press('Enter');
        assert.equal((await started).status(), 201, 'the study session starts');
        await page.locator('[data-testid=study-status][data-state=confirming]').waitFor();
        await pauseClock(page);
        let reply = await beat(page);
        for (let i = 0; i < 46 && !reply.check; i++) reply = await beat(page);
        assert.ok(reply.check, 'an anti-idle check came within 15 minutes');
        const dialog = page.getByRole('alertdialog');
        await dialog.waitFor();
        assert.ok(await page.evaluate(() => document.activeElement?.closest('[role=alertdialog]') !== null), 'the focus is in the check');
        const [, a, b] = (await page.locator('#check-prompt').innerText()).match(/(\d+)\s*\+\s*(\d+)/);
        await screenshot(page, `keyboard-${size}-check`);
        const answered = page.waitForResponse((r) => r.url().includes('/api/study/checks/'));
        await tabTo(page, '[role=alertdialog] button', String(Number(a) + Number(b)), 20);
        await page.keyboard.press('Enter');
        assert.equal((await answered).status(), 200, 'the right answer is accepted');
        await dialog.waitFor({ state: 'hidden' });
        reply = await beat(page);
        assert.equal(reply.credited_secs, BEAT_SECS, 'after the check the time counts again');
      } finally {
        await serverClock(page, 0, false);
      }
      await page.clock.resume();

      // 课后练习: every question by Space, Tab and Enter; the focus goes to what comes next.
      await activate(page, '我的学习', 'nav a');
      await tabTo(page, `a[href="${await lessonHref(page, '练习')}"]`);
      await page.keyboard.press('Enter');
      await activate(page, '开始练习', 'button');
      for (let i = 0; i < 30; i++) {
        await page.locator('.practice-count').waitFor();
        await page.keyboard.press('Space'); // the focus is on the first option
        await tabTo(page, 'button', '提交答案', 10);
        await page.keyboard.press('Enter');
        await page.locator('.practice-feedback').waitFor();
        const last = await page.getByRole('button', { name: '交卷，查看成绩' }).count();
        assert.ok(await page.evaluate(() => document.activeElement?.tagName === 'BUTTON'), 'the focus is on the next step');
        await page.keyboard.press('Enter');
        if (last) break;
      }
      await page.getByTestId('practice-score').waitFor();
      await screenshot(page, `keyboard-${size}-practice-score`);
      await expectAccessible(page, `the practice score reached by keyboard (${size})`);
    }, options);
  });
}
