// Completion and certificates (issue 12): the home page's years, 王建国's certificate of last
// year printed and downloaded as a PDF whose text is Chinese, and the verification page opened
// from the QR code's URL showing the same facts, its signature checked in the browser.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEMO_GRADED_TRAINEE, DEMO_PASSWORD, expectAccessible, launchBrowser, logIn, logInAdmin, url, withPage } from './helpers.mjs';

const DEMO_UNGRADED_TRAINEE = '350582199203025017';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** The facts a page lists, by their data-fact key. */
async function facts(page) {
  const cells = page.locator('[data-fact]');
  await cells.first().waitFor();
  const out = {};
  for (const cell of await cells.all()) out[await cell.getAttribute('data-fact')] = await cell.innerText();
  return out;
}

test('王建国 sees last year completed, downloads its certificate, and the QR code verifies it', async (t) => {
  let qrText;
  let printed;
  await withPage(browser, t, async (page) => {
    await logIn(page, DEMO_GRADED_TRAINEE, DEMO_PASSWORD);
    const years = page.locator('li.year');
    await years.first().waitFor();
    assert.equal(await years.count(), 2, 'this year and last year');
    const last = years.nth(1);
    const year = Number(await last.getAttribute('data-year'));
    assert.match(await last.locator('.year-status').innerText(), /已于\d{4}年\d+月\d+日完成/);
    assert.match(await years.nth(0).locator('.year-status').innerText(), /还差 42\.0 学时/);
    assert.equal(await last.locator('.ring').getAttribute('aria-label'), '已完成 100%');
    // Set through the CSSOM: the Content-Security-Policy refuses style attributes.
    assert.equal(await last.locator('.ring').evaluate((e) => e.style.getPropertyValue('--p')), '100');
    await expectAccessible(page, "the home page's years");

    await last.getByRole('link', { name: '学时证明' }).click();
    await page.waitForURL(url(`/certificates/${year}`));
    printed = await facts(page);
    assert.equal(printed.name, '王建国');
    assert.equal(printed.id_number, '350***********1235');
    assert.equal(printed.year, `${year} 年度`);
    assert.match(printed.code, /^[0-9A-Z]{10}$/);
    const qr = page.locator('img.certificate-qr');
    await qr.waitFor();
    await page.waitForFunction(() => document.querySelector('img.certificate-qr')?.naturalWidth > 0);
    await expectAccessible(page, 'the certificate page');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: '下载 PDF' }).click(),
    ]);
    const dir = mkdtempSync(path.join(tmpdir(), 'qinxue-cert-'));
    try {
      const file = path.join(dir, 'certificate.pdf');
      await download.saveAs(file);
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      for (const expected of ['学时证明', '王建国', '350***********1235', '泉州市鲤城区机关事务服务中心', printed.code]) {
        assert.ok(text.includes(expected), `${expected} is in the PDF's text`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const answer = await page.request.get(url(`/api/me/certificates/${year}`));
    qrText = (await answer.json()).qr_text;
  });

  // Anyone, signed in or not, who scans the QR code.
  await withPage(browser, t, async (page) => {
    assert.ok(qrText.startsWith(url('/verify/')), qrText);
    await page.goto(qrText);
    await page.getByTestId('verify-status').filter({ hasText: '有效' }).waitFor();
    assert.deepEqual(await facts(page), printed, 'the verification page states what the certificate does');
    const check = page.getByTestId('qr-check');
    await check.filter({ hasText: '数字签名有效' }).waitFor();
    assert.match(await check.innerText(), /二维码内容与登记一致/);
    // The 学时 by source are among the facts compared above; the revocation list is checked too.
    assert.match(printed.online, /^\d+\.\d 学时$/);
    assert.match(printed.total, /^\d+\.\d 学时$/);
    const revocation = page.getByTestId('revocation-check').first();
    await revocation.filter({ hasText: '不在撤销名单中' }).waitFor();
    assert.match(await revocation.innerText(), /撤销名单更新于\d{4}年/);
    await expectAccessible(page, 'the verification page of a valid certificate');
  });
});

test('a doctored QR payload is refused by the verification page', async (t) => {
  await withPage(browser, t, async (page) => {
    await logIn(page, DEMO_GRADED_TRAINEE, DEMO_PASSWORD);
    const me = await (await page.request.get(url('/api/me'))).json();
    const answer = await page.request.get(url(`/api/me/certificates/${me.year.year - 1}`));
    const { url: verifyUrl, payload } = await answer.json();
    // One character of the payload changed: it no longer reads, or no longer matches.
    const doctored = (payload[20] === '0' ? '1' : '0');
    const tampered = payload.slice(0, 20) + doctored + payload.slice(21);
    await page.goto(`${verifyUrl}#${encodeURIComponent(tampered)}`);
    const check = page.getByTestId('qr-check');
    await check.filter({ hasText: '无效' }).waitFor();
  });
});

test('林晓梅 sees her unfinished last year still open with what is missing', async (t) => {
  await withPage(browser, t, async (page) => {
    await logIn(page, DEMO_UNGRADED_TRAINEE, DEMO_PASSWORD);
    const years = page.locator('li.year');
    await years.first().waitFor();
    const last = years.nth(1);
    const status = await last.locator('.year-status').innerText();
    assert.match(status, /还差 14\.0 学时/);
    assert.match(status, /仍须继续学习补足/);
    assert.match(await years.nth(0).locator('.year-status').innerText(), /尚未报名缴费/);
  });
});

test('a certificate the province revoked says so on its verification page, also offline', async (t) => {
  let qrText;
  let code;
  await withPage(browser, t, async (page) => {
    await logIn(page, DEMO_GRADED_TRAINEE, DEMO_PASSWORD);
    const me = await (await page.request.get(url('/api/me'))).json();
    const c = await (await page.request.get(url(`/api/me/certificates/${me.year.year - 1}`))).json();
    ({ qr_text: qrText, code } = c);
  });
  await withPage(browser, t, async (page) => {
    await logInAdmin(page, 'province-admin');
    const res = await page.request.post(url(`/api/admin/certificates/${code}/revoke`), {
      data: { reason: '学时记录有误' },
    });
    assert.equal(res.status(), 200);
  });
  await withPage(browser, t, async (page) => {
    await page.goto(qrText);
    const status = page.getByTestId('verify-status');
    await status.filter({ hasText: '撤销' }).waitFor();
    assert.match(await status.innerText(), /学时记录有误/);
    await page.getByTestId('revocation-check').first().filter({ hasText: '此证明已被撤销' }).waitFor();

    // Offline: the pasted payload is checked against the kept key and revocation list.
    await page.context().setOffline(true);
    const payload = decodeURIComponent(qrText.split('#')[1]);
    await page.getByLabel('二维码内容').fill(payload);
    await page.getByRole('button', { name: '核验' }).click();
    const offline = page.getByTestId('revocation-check').last();
    await offline.filter({ hasText: '本机保存的撤销名单' }).waitFor();
    assert.match(await offline.innerText(), /此证明已被撤销.*更新于\d{4}年/);
    await expectAccessible(page, 'the verification page of a revoked certificate, offline');
    await page.context().setOffline(false);
  });
});
