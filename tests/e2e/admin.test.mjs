// The administrators' app is its own bundle under /admin/ (src/lib.rs): who gets in, and that
// its addresses load on their own.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_GRADED_TRAINEE, DEMO_PASSWORD, expectAccessible, launchBrowser, logIn, logInAdmin, url, withPage } from './helpers.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('an administrator signs in on the site, lands in the admin app, which survives a reload, and signs out', async (t) => {
  await withPage(browser, t, async (page) => {
    await logInAdmin(page, 'unit-demo');
    assert.equal(await page.getByTestId('role').textContent(), '单位管理员');
    await expectAccessible(page, "the unit admin's home");
    const scripts = await page.locator('script[type=module]').evaluateAll((els) => els.map((e) => e.src + e.textContent));
    assert.ok(scripts.some((s) => s.includes('/admin/admin-')), 'the admin bundle is the one loaded');

    await page.reload();
    await page.getByTestId('role').waitFor();
    await page.goto(url('/admin/no-such-page'));
    await page.getByRole('heading', { name: '页面不存在' }).waitFor();
    await expectAccessible(page, "the admin app's 404 page");

    await page.getByRole('button', { name: '退出' }).click();
    await page.waitForURL((u) => u.pathname === '/login');
    const me = await page.request.get(url('/api/me'));
    assert.equal(me.status(), 401, 'signed out on the server too');
  });
});

test('a signed-out visitor of /admin/ is sent to the sign-in page', async (t) => {
  await withPage(browser, t, async (page) => {
    await page.goto(url('/admin/'));
    await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('next') === '/admin/');
  });
});

test('a trainee who opens /admin/ is told it is for administrators only', async (t) => {
  await withPage(browser, t, async (page) => {
    await logIn(page, DEMO_GRADED_TRAINEE, DEMO_PASSWORD);
    await page.goto(url('/admin/'));
    await page.getByText('此页面仅供管理员使用。').waitFor();
    await expectAccessible(page, '/admin/ refusing a trainee');
    assert.equal(await page.getByTestId('role').count(), 0);
  });
});
