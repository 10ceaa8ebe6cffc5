// Registration and login through the real UI in headless Chromium (issue 2, Tests).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_GRADED_TRAINEE, DEMO_PASSWORD, expectAccessible, expectHome, fillRegistration, launchBrowser, logIn, logOut,
  newTrainee, url, withPage, withWrongCheckChar,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

for (const [grade, label, hours, fee] of [
  ['intermediate', '中级工', 42, '126.00'],
  ['ungraded', '未定级', 24, '72.00'],
]) {
  test(`a ${label} trainee registers, sees ${hours} 学时 and ${fee} 元, logs out and back in`, async (t) => {
    await withPage(browser, t, async (page) => {
      const trainee = newTrainee(grade);
      await fillRegistration(page, trainee);
      await page.waitForURL(url('/'));
      await expectHome(page, hours, fee);
      await expectAccessible(page, `the home page of a new ${label} trainee`);

      await logOut(page);
      await logIn(page, trainee.id_number, trainee.password);
      await expectHome(page, hours, fee);
    });
  });
}

test('a 身份证号 with a wrong check digit gets an inline Chinese error and is not submitted', async (t) => {
  await withPage(browser, t, async (page) => {
    const trainee = newTrainee('intermediate');
    trainee.id_number = withWrongCheckChar(trainee.id_number);
    const registrations = [];
    page.on('request', (r) => { if (r.url().endsWith('/api/auth/register')) registrations.push(r); });

    await fillRegistration(page, trainee);
    const error = page.locator('#err-id_number');
    await error.filter({ hasText: /\S/ }).waitFor();
    assert.match(await error.innerText(), /[\u4e00-\u9fff]/, 'the error is in Chinese');
    assert.equal(new URL(page.url()).pathname, '/register', 'the form stays open');
    assert.equal(registrations.length, 0, 'nothing was sent to the server');
    await expectAccessible(page, 'the registration form showing an error');
  });
});

test('the demo trainee logs in and sees 42 学时', async (t) => {
  await withPage(browser, t, async (page) => {
    await logIn(page, DEMO_GRADED_TRAINEE, DEMO_PASSWORD);
    await expectHome(page, 42, '126.00');
  });
});
