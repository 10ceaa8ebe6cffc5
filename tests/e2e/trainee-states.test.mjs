// The trainee's experience (issue 14) in headless Chromium, at desktop and tablet sizes: a
// sign-in that ends (inside a lesson too) leads to the sign-in page and back; /study signed
// out offers 登录; 继续学习 on the home page leads into a lesson. Each state is checked with
// axe-core and kept as a screenshot in tests/e2e/artifacts/ (trainee-*.png).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_GRADED_TRAINEE, DEMO_PASSWORD, TABLET_PORTRAIT, expectAccessible, launchBrowser, logIn, screenshot,
  url, withPage,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const BEAT_SECS = 20;
const SIZES = [
  ['desktop', { viewport: { width: 1280, height: 800 } }],
  ['tablet', TABLET_PORTRAIT],
];
const status = (page) => page.locator('[data-testid=study-status]');
const state = (page, s) => page.locator(`[data-testid=study-status][data-state=${s}]`);

/** Opens the first lesson of `kind` (图文 or 视频) of the trainee's first course on 我的学习. */
async function openLesson(page, kind) {
  await page.goto(url('/study'));
  const lesson = page.locator('.courses').first().locator('.lessons li', { hasText: kind }).first();
  const started = page.waitForResponse((r) => r.url().endsWith('/api/study/sessions') && r.request().method() === 'POST');
  await lesson.locator('a').click();
  assert.equal((await started).status(), 201, 'the study session starts');
}

for (const [size, options] of SIZES) {
  test(`${size}: the home page's 继续学习 leads straight into a lesson`, async (t) => {
    await withPage(browser, t, async (page) => {
      await logIn(page, DEMO_GRADED_TRAINEE, DEMO_PASSWORD);
      const go = page.getByTestId('continue-study');
      await go.waitFor();
      await screenshot(page, `trainee-${size}-home-continue`);
      await expectAccessible(page, `trainee-${size}-home-continue`);
      await go.click();
      await page.waitForURL(/\/lessons\/\d+$/);
      await status(page).waitFor();
    }, options);
  });

  test(`${size}: a sign-in that ends inside a lesson leads to the sign-in page and back into the lesson`, async (t) => {
    await withPage(browser, t, async (page) => {
      await page.clock.install();
      await logIn(page, DEMO_GRADED_TRAINEE, DEMO_PASSWORD);
      await openLesson(page, '图文');
      const lesson = new URL(page.url()).pathname;
      await state(page, 'confirming').waitFor();
      // Signed out elsewhere (another tab of the same browser): the session cookie is dead.
      const out = await page.request.post(url('/api/auth/logout'));
      assert.equal(out.status(), 204);
      await page.clock.runFor(BEAT_SECS * 1000);
      await page.waitForURL((u) => u.pathname === '/login');
      assert.equal(new URL(page.url()).searchParams.get('next'), lesson);
      await page.getByTestId('sign-in-again').filter({ hasText: '登录已过期或已在别处退出' }).waitFor();
      await page.locator('header').getByRole('link', { name: '登录' }).waitFor();
      assert.equal(await page.locator('header .nav-user').count(), 0, 'the header shows no name');
      await screenshot(page, `trainee-${size}-sign-in-again`);
      await expectAccessible(page, `trainee-${size}-sign-in-again`);
      await page.fill('input[name=login]', DEMO_GRADED_TRAINEE);
      await page.fill('input[name=password]', DEMO_PASSWORD);
      await page.locator('form button[type=submit]').click();
      await page.waitForURL(url(lesson));
      await status(page).waitFor();
    }, options);
  });

  test(`${size}: /study signed out offers 登录, which comes back to /study`, async (t) => {
    await withPage(browser, t, async (page) => {
      await page.goto(url('/study'));
      const notice = page.locator('.notice-error');
      await notice.getByRole('link', { name: '登录' }).waitFor();
      assert.equal(await notice.getByRole('button', { name: '重试' }).count(), 0, 'no 重试 that cannot help');
      await screenshot(page, `trainee-${size}-study-signed-out`);
      await expectAccessible(page, `trainee-${size}-study-signed-out`);
      await notice.getByRole('link', { name: '登录' }).click();
      await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('next') === '/study');
      await page.fill('input[name=login]', DEMO_GRADED_TRAINEE);
      await page.fill('input[name=password]', DEMO_PASSWORD);
      await page.locator('form button[type=submit]').click();
      await page.waitForURL(url('/study'));
      await page.getByRole('heading', { name: '我的学习', level: 1 }).waitFor();
    }, options);
  });
}
