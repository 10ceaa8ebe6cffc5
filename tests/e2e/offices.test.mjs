// The offices' tools (issue 11): the 泉州 office drills down its dashboard from the city to a
// county and one unit and downloads that unit's non-completers, whose rows agree with the
// numbers shown; a supplementary activity filed by the office, approved by the province and
// its attendance entered shows as 补充活动 on the trainee's home page.
// Named to run after certificate.test.mjs, which expects 王建国's year without credit.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEMO_GRADED_TRAINEE, DEMO_PASSWORD, launchBrowser, logIn, logInAdmin, logOut, url, withPage } from './helpers.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** The heading of the report shown, once it has changed from `previous`. */
async function heading(page, previous) {
  const h = page.getByTestId('report-region');
  await h.waitFor();
  if (previous) await page.waitForFunction((p) => document.querySelector('[data-testid=report-region]')?.textContent !== p, previous);
  return h.innerText();
}

test('the 泉州 office drills down to a unit and downloads its non-completers', async (t) => {
  await withPage(browser, t, async (page) => {
    await logInAdmin(page, 'quanzhou-admin');
    await page.getByRole('link', { name: '培训统计' }).first().click();
    await page.waitForURL(url('/admin/reports'));
    const city = await heading(page);
    assert.match(city, /^泉州市 · \d{4} 年度$/);
    assert.ok(await page.locator('svg.chart').count() >= 3, 'charts by region, unit and grade');

    // Drill-down controls are buttons a finger can hit.
    const county = page.getByTestId('drill').filter({ hasText: '丰泽区' });
    const box = await county.boundingBox();
    assert.ok(box.height >= 44 && box.width >= 44, `drill button ${box.width}×${box.height}`);
    await county.click();
    const countyTitle = await heading(page, city);
    assert.match(countyTitle, /^丰泽区 · /);
    // A bar is drawn only for a rate above zero: no fill beside 0.0%.
    for (const g of await page.locator('svg.chart g').all()) {
      const label = await g.locator('text').last().textContent();
      const bars = await g.locator('[data-testid=bar]').count();
      assert.equal(bars, label === '0.0%' || label === '—' ? 0 : 1, `bar beside ${label}`);
    }

    const unit = page.getByTestId('drill-unit').first();
    const unitName = (await unit.innerText()).replace(/\s*›$/, '');
    await unit.click();
    const unitTitle = await heading(page, countyTitle);
    assert.ok(unitTitle.includes(unitName), `${unitTitle} names ${unitName}`);
    const trainees = Number(await page.getByTestId('total-trainees').innerText());
    const completed = Number(await page.getByTestId('total-completed').innerText());
    assert.ok(trainees > 0, 'the demo unit has staff');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('non-completers').click(),
    ]);
    const text = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '');
    const rows = text.trim().split('\n').slice(1);
    assert.equal(rows.length, trainees - completed, 'the export lists everyone the dashboard counts as not completed');
    assert.ok(rows.every((r) => r.includes(unitName)), 'only that unit');
    assert.ok(rows.every((r) => !/\d{18}|\d{17}X/.test(r)), '身份证号 masked');

    await page.getByTestId('drill-up').click();
    assert.equal(await heading(page, unitTitle), countyTitle);
    await page.getByTestId('drill-up').click();
    assert.equal(await heading(page, countyTitle), city);
  });
});

test('the province approves an activity and its 学时 show on the trainee\'s home page', async (t) => {
  const title = `安全用电专题讲座 ${Date.now() % 100000}`;
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
  await withPage(browser, t, async (page) => {
    await logInAdmin(page, 'quanzhou-admin');
    await page.goto(url('/admin/activities'));
    await page.fill('#activity-title', title);
    await page.locator('#activity-kind').selectOption('lecture');
    await page.fill('#activity-date', today);
    await page.fill('#activity-place', '泉州市人社局报告厅');
    await page.fill('#activity-hours', '2');
    await page.fill('#activity-expected', '60');
    await page.getByRole('button', { name: '提交备案' }).click();
    const card = page.getByTestId('activity').filter({ hasText: title });
    await card.getByText('待审批').waitFor();
    await logOut(page);

    await logInAdmin(page, 'province-admin');
    await page.goto(url('/admin/activities'));
    const filed = page.getByTestId('activity').filter({ hasText: title });
    await filed.getByTestId('approve').click();
    await filed.getByText('已批准').waitFor();
    await logOut(page);

    await logInAdmin(page, 'quanzhou-admin');
    await page.goto(url('/admin/activities'));
    const approved = page.getByTestId('activity').filter({ hasText: title });
    await approved.getByTestId('attendance').fill(`${DEMO_GRADED_TRAINEE}\n350502198001011234\n`);
    await approved.getByTestId('upload-attendance').click();
    assert.match(await approved.getByTestId('attendance-result').innerText(), /登记 1 人，未登记 1 人/);
    await approved.getByText('身份证号不正确').waitFor();
    await logOut(page);

    await logIn(page, DEMO_GRADED_TRAINEE, DEMO_PASSWORD);
    const year = page.locator('li.year').first();
    await year.waitFor();
    const sources = year.locator('dl.sources');
    await sources.getByText('补充活动').waitFor();
    assert.match(await sources.innerText(), /补充活动\s*2\.0 学时/);
  });
});
