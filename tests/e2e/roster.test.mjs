// The unit admin's roster import (issue 11): unit-demo checks a CSV file as Chinese Excel saves
// it (GBK, no BOM) with two bad rows, sees exactly those two with their reasons, checks the
// corrected file and imports it, gets the one-time password sheet of the new accounts, then
// downloads the unit's roster as CSV and imports that file again: the check says nothing would
// change and the import changes nothing (the staff list read through the API is the same); the
// same for the roster downloaded as an Excel workbook.
// At desktop size and on a portrait tablet.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  TABLET_PORTRAIT, expectAccessible, launchBrowser, logInAdmin, newIdNumber, newPhone, url, withPage,
  withWrongCheckChar,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const DESKTOP = { viewport: { width: 1280, height: 800 } };
const HEADER = '身份证号,姓名,手机,用工类型,工种,等级';

/** Text as GBK bytes. Node can decode GBK but not encode it, so the table is built by decoding
 * every two-byte GBK code once and inverting it; ASCII stays one byte. */
let gbkTable;
function gbk(text) {
  if (!gbkTable) {
    gbkTable = new Map();
    const decoder = new TextDecoder('gbk');
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue;
        const ch = decoder.decode(Uint8Array.of(lead, trail));
        if (ch.length === 1 && ch !== '\uFFFD' && !gbkTable.has(ch)) gbkTable.set(ch, [lead, trail]);
      }
    }
  }
  const bytes = [];
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) bytes.push(ch.charCodeAt(0));
    else {
      const pair = gbkTable.get(ch);
      assert.ok(pair, `${ch} has a GBK code`);
      bytes.push(...pair);
    }
  }
  return Buffer.from(bytes);
}

const csvLine = (p) => [p.id_number, p.name, p.phone, p.employment_type, p.trade, p.grade].join(',');

/** The unit's staff as GET /api/unit/staff/progress answers (the page's cookies). */
async function staff(page) {
  const res = await page.request.get(url('/api/unit/staff/progress'));
  assert.equal(res.status(), 200, 'the staff list answers 200');
  return res.json();
}

/** Picks `buffer` as the roster file, clicks 检查文件 and waits for the answer of the check. */
async function check(page, name, mimeType, buffer) {
  await page.locator('#roster-file').setInputFiles({ name, mimeType, buffer });
  const answered = page.waitForResponse((r) => r.url().includes('/api/unit/roster/import?dry_run=true'));
  await page.getByTestId('roster-check').click();
  assert.equal((await answered).status(), 200, 'the check answers 200');
  return page.getByTestId('roster-summary').innerText();
}

/** Clicks 确认导入 and waits for the answer of the import. */
async function commit(page) {
  const answered = page.waitForResponse((r) => r.url().endsWith('/api/unit/roster/import') && r.request().method() === 'POST');
  await page.getByTestId('roster-commit').click();
  assert.equal((await answered).status(), 200, 'the import answers 200');
  await page.getByTestId('roster-summary').getByText('已导入').waitFor();
  return page.getByTestId('roster-summary').innerText();
}

async function noSidewaysScroll(page, what) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= width, `${what}: the page is ${scroll} px wide in a ${width} px window`);
}

for (const [size, options] of [['desktop', DESKTOP], ['tablet portrait', TABLET_PORTRAIT]]) {
  test(`${size}: a GBK roster with two bad rows, corrected, imported, exported and imported again unchanged`, async (t) => {
    const people = ['陈思远', '林晓燕', '黄志明', '吴丽华'].map((name, i) => ({
      id_number: newIdNumber(),
      name,
      phone: newPhone(),
      employment_type: ['在编在岗', '劳务派遣', '聘用合同', '在编在岗'][i],
      trade: ['电工', '保洁员', '汽车驾驶员', '中式烹调师'][i],
      grade: ['初级工', '中级工', '高级工', '未定级'][i],
    }));
    // Row 3 (the second person): a wrong check character; row 5 (the fourth): a trade the
    // platform does not have.
    const bad = people.map((p, i) =>
      i === 1 ? { ...p, id_number: withWrongCheckChar(p.id_number) } : i === 3 ? { ...p, trade: '飞行员' } : p);
    const file = (rows) => gbk(`${HEADER}\r\n${rows.map(csvLine).join('\r\n')}\r\n`);
    const badFile = file(bad);
    assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(badFile), 'the file is not UTF-8');
    assert.notDeepEqual([...badFile.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'no BOM');

    await withPage(browser, t, async (page) => {
      await logInAdmin(page, 'unit-demo');
      const before = await staff(page);
      await page.goto(url('/admin/unit/roster'));
      await page.getByTestId('roster-csv').waitFor();

      // The check of the bad file: every row counted, exactly the two bad ones listed.
      assert.equal(await check(page, 'roster.csv', 'text/csv', badFile),
        '共 4 行，2 行无误，2 行有错误；导入后将新增 2 人、更新 0 人，0 人不变。');
      const errors = await page.getByTestId('roster-error').evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      assert.deepEqual(errors, [
        ['3', '第 3 行“身份证号”：身份证号校验位不正确，请核对'],
        ['5', '第 5 行“工种”：“飞行员”不是平台的工种（如 电工、汽车驾驶员、保洁员）'],
      ]);
      assert.ok(await page.getByTestId('roster-commit').isDisabled(), 'a file with bad rows cannot be imported');
      await noSidewaysScroll(page, 'the check with errors');
      await expectAccessible(page, 'the roster check with two bad rows');
      assert.equal((await staff(page)).total, before.total, 'the check writes nothing');

      // The corrected file, checked and imported.
      assert.equal(await check(page, 'roster.csv', 'text/csv', file(people)),
        '共 4 行，4 行无误，0 行有错误；导入后将新增 4 人、更新 0 人，0 人不变。');
      assert.equal(await page.getByTestId('roster-error').count(), 0);
      assert.equal(await commit(page), '已导入：新增 4 人，更新 0 人，0 人不变。');

      // The one-time password sheet: one line per new account, names read from GBK intact.
      const sheet = page.getByTestId('password-sheet');
      await sheet.waitFor();
      const lines = await sheet.getByTestId('password-row').evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      assert.deepEqual(lines.map(([name, id]) => [name, id]).sort(), people.map((p) => [p.name, p.id_number]).sort());
      for (const [, , password] of lines) assert.ok(password.length >= 8, `one-time password ${password}`);
      await noSidewaysScroll(page, 'the password sheet');
      await expectAccessible(page, 'the roster import with its password sheet');

      const imported = await staff(page);
      assert.equal(imported.total, before.total + 4, 'four accounts made');
      for (const p of people) {
        const found = imported.people.filter((s) => s.name === p.name && s.trade === p.trade && s.one_time_password);
        assert.ok(found.length >= 1, `${p.name} is on the staff list with a one-time password`);
      }

      // The unit's roster as CSV: a BOM, the same header, everyone of the unit.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('roster-csv').click()]);
      const exported = readFileSync(await download.path());
      assert.deepEqual([...exported.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the export starts with a UTF-8 BOM');
      const text = exported.toString('utf8').slice(1);
      const rows = text.trim().split(/\r?\n/);
      assert.equal(rows[0], HEADER);
      assert.equal(rows.length - 1, imported.total, 'every member of the unit is exported');
      for (const p of people) assert.ok(rows.includes(csvLine(p)), `the export has ${csvLine(p)}`);

      // The export imported again: nothing to change, and nothing changes.
      const n = rows.length - 1;
      assert.equal(await check(page, 'roster-export.csv', 'text/csv', exported),
        `共 ${n} 行，${n} 行无误，0 行有错误；导入后将新增 0 人、更新 0 人，${n} 人不变。`);
      assert.equal(await page.getByTestId('roster-error').count(), 0);
      assert.equal(await commit(page), `已导入：新增 0 人，更新 0 人，${n} 人不变。`);
      assert.equal(await page.getByTestId('password-sheet').count(), 0, 'no new account, no password sheet');
      assert.deepEqual(await staff(page), imported, 'the staff list is as it was before the second import');

      // The same round trip through the Excel workbook.
      const [workbook] = await Promise.all([page.waitForEvent('download'), page.getByTestId('roster-xlsx').click()]);
      const xlsx = readFileSync(await workbook.path());
      assert.equal(xlsx.subarray(0, 4).toString('latin1'), 'PK\x03\x04', 'the workbook is a ZIP archive');
      assert.equal(await check(page, 'roster.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', xlsx),
        `共 ${n} 行，${n} 行无误，0 行有错误；导入后将新增 0 人、更新 0 人，${n} 人不变。`);
      assert.equal(await commit(page), `已导入：新增 0 人，更新 0 人，${n} 人不变。`);
      assert.deepEqual(await staff(page), imported, 'the staff list is as it was before the workbook\'s import');
    }, options);
  });
}
