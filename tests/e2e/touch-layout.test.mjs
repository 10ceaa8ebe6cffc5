// Tablet and large text (issue 14, item 5), measured in the page: 选课's filters fit an 800 px
// portrait screen in 大字; the lesson's sticky bar keeps at most a fifth of a 1280×800 landscape
// screen; every control a finger uses is at least 44 px each way; the unit admin's whole staff
// row ticks its box; the registration's unit list shrinks to a name typed; and no page of the
// trainee and admin apps, tablet portrait or landscape, has a control under 44 px. Screenshots
// of each state go to tests/e2e/artifacts/ (kept whether the test passes or not).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_GRADED_TRAINEE, DEMO_PASSWORD, TABLET_LANDSCAPE, TABLET_PORTRAIT, fillRegistration, launchBrowser, logIn,
  logInAdmin, newTrainee, screenshot, url, withPage,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const TOUCH = 44;

/** The visible controls of `scope` smaller than 44×44 px, named for the message. A link inside
 * running text is exempt, as WCAG 2.5.5 exempts inline targets: making it 44 px would break
 * the line, and the sentence around it spaces it from its neighbours. */
function smallTargets(page, scope = 'body') {
  return page.evaluate(([scope, min]) => {
    const controls = document.querySelectorAll(
      `${scope} :is(a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [tabindex="0"])`,
    );
    const inline = (el) => el.tagName === 'A' && getComputedStyle(el).display === 'inline'
      && /\S/.test([...el.parentElement.childNodes].filter((n) => n !== el).map((n) => n.textContent).join(''));
    return [...controls]
      .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden' && !inline(el))
      .map((el) => {
        // A checkbox or radio inside its label: the label is what a finger presses.
        const target = el.matches('input[type=checkbox], input[type=radio]') ? (el.closest('label, tr.pickable') ?? el) : el;
        const box = target.getBoundingClientRect();
        return { box, name: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${(el.getAttribute('aria-label') || el.textContent || el.value || '').trim().slice(0, 30)}"` };
      })
      .filter(({ box }) => box.width < min - 0.5 || box.height < min - 0.5)
      .map(({ box, name }) => `${name} ${Math.round(box.width)}×${Math.round(box.height)}`);
  }, [scope, TOUCH]);
}

test('tablet portrait, 大字: 选课\'s filters fit the 800 px screen, and every control is a 44 px target', async (t) => {
  await withPage(browser, t, async (page) => {
    await fillRegistration(page, newTrainee('senior'));
    await page.waitForURL(url('/'));
    assert.deepEqual(await smallTargets(page), [], 'home: targets under 44 px');
    await page.goto(url('/courses'));
    await page.locator('article.course').first().waitFor();
    await page.getByRole('button', { name: '大字' }).tap();
    await page.waitForFunction(() => document.documentElement.classList.contains('large-text'));
    const width = page.viewportSize().width;
    const boxes = await page.locator('.filters :is(input, select, button)').evaluateAll((els) =>
      els.map((e) => { const r = e.getBoundingClientRect(); return { id: e.id || e.textContent.trim(), left: r.left, right: r.right, bottom: r.bottom }; }));
    assert.ok(boxes.length >= 4, 'the filters: title words, category, trade, search');
    for (const b of boxes) assert.ok(b.left >= 0 && b.right <= width, `${b.id} is inside the ${width} px screen (${Math.round(b.left)}–${Math.round(b.right)})`);
    const filters = await page.locator('.filters').boundingBox();
    t.diagnostic(`filters in 大字 at ${width} px: ${Math.round(filters.width)}×${Math.round(filters.height)} px`);
    assert.ok(filters.y + filters.height <= page.viewportSize().height, 'the filters and their 搜索 are on the first screen');
    assert.deepEqual(await smallTargets(page), [], '选课 in 大字: targets under 44 px');
    await screenshot(page, 'layout-courses-portrait-large-text');

    await page.goto(url('/register'));
    await page.locator('#unit_search').waitFor();
    assert.deepEqual(await smallTargets(page, 'main'), [], 'registration: targets under 44 px');
  }, TABLET_PORTRAIT);
});

test('tablet landscape: the lesson\'s sticky bar keeps at most a fifth of the 800 px height', async (t) => {
  await withPage(browser, t, async (page) => {
    const trainee = { ...newTrainee('senior'), trade: '汽车驾驶员' };
    await fillRegistration(page, trainee);
    await page.waitForURL(url('/'));
    await page.goto(url('/courses'));
    const first = page.locator('article.course').filter({ has: page.getByRole('button', { name: '选课' }) }).first();
    const title = (await first.getByRole('heading').first().textContent()).trim(); // not innerText: an off-screen card (content-visibility: auto) has none
    const selectable = page.locator('article.course', { has: page.getByRole('heading', { name: title }) });
    await selectable.getByRole('button', { name: '选课' }).tap();
    await selectable.getByText('已选', { exact: true }).waitFor();
    await page.goto(url('/study'));
    await page.locator('.courses .lessons li a').first().tap();
    await page.locator('[data-testid=study-status]').waitFor();
    for (const large of [false, true]) {
      if (large) {
        await page.getByRole('button', { name: '大字' }).tap();
        await page.waitForFunction(() => document.documentElement.classList.contains('large-text'));
      }
      await page.mouse.wheel(0, 2000); // the bar is sticky: measure it where it sticks
      const bar = await page.locator('.study-bar').boundingBox();
      const share = bar.height / page.viewportSize().height;
      t.diagnostic(`sticky bar${large ? ' in 大字' : ''}: ${Math.round(bar.height)} px, ${(100 * share).toFixed(1)} % of the screen`);
      assert.ok(share <= 0.2, `the sticky bar${large ? ' in 大字' : ''} is ${Math.round(bar.height)} px, ${(100 * share).toFixed(1)} % of the screen`);
      await screenshot(page, `layout-lesson-landscape${large ? '-large-text' : ''}`);
    }
    assert.deepEqual(await smallTargets(page, 'main'), [], 'the lesson: targets under 44 px');
  }, TABLET_LANDSCAPE);
});

test('tablet landscape: the unit admin ticks a person by tapping anywhere on the row', async (t) => {
  await withPage(browser, t, async (page) => {
    await logInAdmin(page, 'unit-demo');
    await page.goto(url('/admin/unit/pay'));
    const row = page.locator('[data-testid=staff]').filter({ has: page.locator('input[type=checkbox]') }).first();
    await row.waitFor();
    const box = await row.boundingBox();
    assert.ok(box.height >= TOUCH, `a row is ${Math.round(box.height)} px high`);
    const checkbox = row.locator('input[type=checkbox]');
    assert.equal(await checkbox.isChecked(), false);
    await row.locator('td').nth(1).tap(); // the name
    assert.equal(await checkbox.isChecked(), true, 'a tap on the name ticks the box');
    await page.getByTestId('unit-total').filter({ hasText: '已选 1 人' }).waitFor();
    await screenshot(page, 'layout-unit-pay-row-ticked');
    await row.locator('td').nth(5).tap(); // the fee
    assert.equal(await checkbox.isChecked(), false, 'a second tap unticks it');
    await checkbox.tap();
    assert.equal(await checkbox.isChecked(), true, 'the box itself still works');
    assert.deepEqual(await smallTargets(page, 'main'), [], 'unit pay: targets under 44 px');
  }, TABLET_LANDSCAPE);
});

test('tablet portrait: the registration\'s unit list shrinks to the name typed', async (t) => {
  await withPage(browser, t, async (page) => {
    await page.goto(url('/register'));
    const units = page.locator('#unit_id option:not([value=""])');
    await units.first().waitFor({ state: 'attached' });
    const all = await units.count();
    await page.getByLabel('按名称查找单位（可不填）').fill('机关事务');
    const found = await units.allInnerTexts();
    assert.ok(found.length > 0 && found.length < all, `${found.length} of ${all} units hold 机关事务`);
    for (const name of found) assert.match(name, /机关事务/);
    await page.getByLabel('按名称查找单位（可不填）').fill('没有这个名字的单位');
    assert.equal(await units.count(), 0);
    await page.getByText('没有找到单位').waitFor();
    await screenshot(page, 'layout-register-unit-search-none');
  }, TABLET_PORTRAIT);
});

/** Every page of the trainee and admin apps, as the person who uses it sees it: [login or
 * none, paths]. `:lesson`, `:course` and `:session` are the first lesson, the first course and
 * the demo computer room's group session. */
const EVERY_PAGE = [
  [null, ['/login', '/register', '/help', '/password', '/pay/return']],
  [DEMO_GRADED_TRAINEE, ['/', '/study', '/courses', '/orders', '/enrol', '/lessons/:lesson']],
  ['unit-demo', ['/admin/', '/admin/unit/pay', '/admin/unit/orders', '/admin/unit/roster', '/admin/unit/staff']],
  ['province-admin', ['/admin/', '/admin/courses', '/admin/courses/new', '/admin/courses/:course', '/admin/policy-years', '/admin/audit', '/admin/reports', '/admin/activities']],
  ['quanzhou-admin', ['/admin/', '/admin/group-sessions', '/admin/group-sessions/new', '/admin/group-sessions/:session', '/admin/group-sessions/:session/edit']],
  ['proctor-demo', ['/admin/group-sessions/:session/console']],
];

for (const [size, device] of [['landscape', TABLET_LANDSCAPE], ['portrait', TABLET_PORTRAIT]]) {
  test(`tablet ${size}: every trainee and admin page keeps its controls at 44 px`, async (t) => {
    const small = [];
    for (const [login, paths] of EVERY_PAGE) {
      await withPage(browser, t, async (page) => {
        if (login) await logIn(page, login, DEMO_PASSWORD, login === DEMO_GRADED_TRAINEE ? '/' : '/admin/');
        const [course] = await (await page.request.get(url('/api/courses'))).json();
        const sessions = login === 'quanzhou-admin' || login === 'proctor-demo'
          ? await (await page.request.get(url('/api/group-sessions'))).json() : [];
        const ids = { lesson: course.lessons[0].id, course: course.id, session: sessions.find((s) => s.code === 'QZJZ2626')?.id };
        for (const path of paths) {
          await page.goto(url(path.replace(/:(\w+)/g, (_, k) => ids[k])));
          await page.locator('main h1').first().waitFor();
          await page.waitForLoadState('networkidle');
          for (const target of await smallTargets(page, 'main')) small.push(`${path} (${login ?? 'visitor'}): ${target}`);
        }
        await screenshot(page, `layout-every-page-${size}-${login ?? 'visitor'}`);
      }, device);
    }
    assert.deepEqual(small, [], 'targets under 44 px');
  });
}
