// The first visit (issue 14, item 7): a visitor without a sign-in gets the visitors' bundle
// (dist/welcome, src/welcome_app.rs) at /, /login, /register and /help, which is what
// scripts/page-weight.sh weighs; any other page, and the same pages once signed in, load the
// trainee app. Run at the tablet's portrait size; screenshots go to tests/e2e/artifacts/.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_GRADED_TRAINEE, DEMO_PASSWORD, SEL, TABLET_PORTRAIT, expectAccessible, launchBrowser, screenshot, url, withPage,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** The .wasm files the document now shown has loaded (cached or not), by path. */
const wasmOfPage = (page) => page.evaluate(() => performance.getEntriesByType('resource')
  .map((e) => new URL(e.name).pathname).filter((p) => p.endsWith('.wasm')));
const WELCOME = /^\/welcome\/welcome-[0-9a-f]+_bg\.wasm$/;
const TRAINEE = /^\/qinxue-[0-9a-f]+_bg\.wasm$/;
async function expectBundle(page, bundle, what) {
  const wasm = await wasmOfPage(page);
  assert.ok(wasm.length === 1 && bundle.test(wasm[0]), `${what}: ${bundle} loaded, not ${wasm}`);
}

test('a visitor downloads the visitors\' bundle only, and the trainee app once it is needed', async (t) => {
  await withPage(browser, t, async (page) => {
    for (const path of ['/', '/help', '/register', '/login']) {
      await page.goto(url(path));
      await page.locator('main h1').first().waitFor();
      await expectBundle(page, WELCOME, `${path} signed out`);
    }
    await page.goto(url('/'));
    await page.getByTestId('year-steps').waitFor();
    await expectAccessible(page, 'home, visitors\' bundle (tablet portrait)');
    await screenshot(page, 'first-visit-home');

    // 选课 is the trainee app's page: following the link loads it.
    await page.locator('header').getByRole('link', { name: '选课' }).click();
    await page.waitForURL(url('/courses'));
    await page.locator('article.course').first().waitFor();
    await expectBundle(page, TRAINEE, '选课 signed out');
  }, TABLET_PORTRAIT);
});

test('signing in on the visitors\' bundle lands in the trainee app, which a reload keeps', async (t) => {
  await withPage(browser, t, async (page) => {
    await page.goto(url('/login'));
    await page.fill('input[name=login]', DEMO_GRADED_TRAINEE);
    await page.fill('input[name=password]', DEMO_PASSWORD);
    await page.locator('form button[type=submit]').click();
    await page.locator(SEL.requiredHours).waitFor();
    await expectBundle(page, TRAINEE, 'home after signing in');
    for (const path of ['/', '/help', '/login']) {
      await page.goto(url(path));
      await page.locator('main h1').first().waitFor();
      await expectBundle(page, TRAINEE, `${path} signed in`);
    }
    await page.goto(url('/'));
    await page.locator(SEL.requiredHours).waitFor();
    await screenshot(page, 'first-visit-signed-in');

    // Signed out again (退出 in the trainee app), the next fresh visit gets the visitors' bundle.
    await page.locator(SEL.logout).click();
    await page.locator('header').getByRole('link', { name: '登录' }).waitFor();
    await page.goto(url('/'));
    await page.getByTestId('year-steps').waitFor();
    await expectBundle(page, WELCOME, '/ after 退出');
  }, TABLET_PORTRAIT);
});
