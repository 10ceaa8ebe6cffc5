// axe-core on the pages no flow test of their own checks (issue 14, item 6): the administrators'
// tools as the demo role that uses each, the computer room's sign-in, and 设置新密码 after a
// reset by the unit. Together with the flow tests' checks every route of the apps is covered,
// which tests/e2e/axe-routes.check.mjs verifies after a full run. Each page is checked once its
// data has arrived (no request left in flight), at desktop and tablet sizes.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'playwright-core';
import {
  BASE_URL, DEMO_PASSWORD, TABLET_LANDSCAPE, expectAccessible, launchBrowser, logIn, logInAdmin, newTrainee,
  url, withPage,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const DESKTOP = { viewport: { width: 1280, height: 800 } };
const ROOM = 'QZJZ2626'; // the demo computer room (server/src/seed.rs)

/** Opens `path`, waits for `ready` (a selector) and for the page's requests to settle, and
 * runs axe-core on it. */
async function check(page, path, ready, what) {
  await page.goto(url(path));
  await page.locator(ready).first().waitFor();
  await page.waitForLoadState('networkidle');
  await expectAccessible(page, what ?? path);
}

for (const [size, options] of [['desktop', DESKTOP], ['tablet', TABLET_LANDSCAPE]]) {
  test(`${size}: the unit admin's roster and staff pages`, async (t) => {
    await withPage(browser, t, async (page) => {
      await logInAdmin(page, 'unit-demo');
      await check(page, '/admin/unit/roster', '[data-testid=roster-csv], main h1');
      await check(page, '/admin/unit/staff', '[data-testid=staff-row]');
      await check(page, '/admin/unit/orders', 'main h1');
    }, options);
  });

  test(`${size}: the province's policy years, audit, reports and activities`, async (t) => {
    await withPage(browser, t, async (page) => {
      await logInAdmin(page, 'province-admin');
      await check(page, '/admin/policy-years', '[data-testid=policy-form]');
      await check(page, '/admin/audit', '[data-testid=audit-entry]');
      await check(page, '/admin/reports', '[data-testid=total-rate]');
      await check(page, '/admin/activities', 'main h1');
    }, options);
  });

  test(`${size}: the office's group sessions, their form, detail and the proctor's console`, async (t) => {
    await withPage(browser, t, async (page) => {
      await logInAdmin(page, 'quanzhou-admin');
      const sessions = await (await page.request.get(url('/api/group-sessions'))).json();
      const demo = sessions.find((s) => s.code === ROOM);
      assert.ok(demo, `the demo group session ${ROOM} is listed`);
      await check(page, '/admin/group-sessions', '[data-testid=group-session]');
      await check(page, '/admin/group-sessions/new', 'form');
      await check(page, `/admin/group-sessions/${demo.id}`, '[data-testid=room-code]');
      // The form, or (once group-session.test.mjs has run the demo room) why it can no longer change.
      await check(page, `/admin/group-sessions/${demo.id}/edit`, 'main h1');
    }, options);
    await withPage(browser, t, async (page) => {
      await logInAdmin(page, 'proctor-demo');
      const [demo] = (await (await page.request.get(url('/api/group-sessions'))).json()).filter((s) => s.code === ROOM);
      await check(page, `/admin/group-sessions/${demo.id}/console`, '[data-testid=console-open], [data-testid=console-live], [data-testid=console-closed]');
    }, options);
  });

  test(`${size}: the computer room's sign-in`, async (t) => {
    await withPage(browser, t, async (page) => {
      await check(page, `/room/${ROOM}`, '[data-testid=room-title]');
    }, options);
  });

  test(`${size}: after the unit resets a forgotten password, the trainee sets a new one`, async (t) => {
    const trainee = { ...newTrainee('senior'), trade: '电工' };
    const client = await request.newContext({ baseURL: BASE_URL });
    let oneTime;
    try {
      const units = await (await client.get('/api/units')).json();
      const unit = units.find((u) => u.name === '泉州市鲤城区机关事务服务中心');
      assert.equal((await client.post('/api/auth/register', { data: { ...trainee, unit_id: unit.id } })).status(), 201);
      const { id } = await (await client.get('/api/me')).json();
      assert.equal((await client.post('/api/auth/logout')).status(), 204);
      assert.equal((await client.post('/api/auth/login', { data: { login: 'unit-demo', password: DEMO_PASSWORD } })).status(), 200);
      const reset = await client.post(`/api/people/${id}/password-reset`);
      assert.equal(reset.status(), 200, 'the unit admin resets the password');
      oneTime = (await reset.json()).password;
    } finally {
      await client.dispose();
    }
    await withPage(browser, t, async (page) => {
      await logIn(page, trainee.id_number, oneTime, '/password');
      await check(page, '/password', 'form', '设置新密码 after a one-time password');
    }, options);
  });
}
