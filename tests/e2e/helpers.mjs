// Shared set-up for the end-to-end tests: Debian's Chromium driven by playwright-core (never a
// downloaded browser), a fresh browser context per test, page errors failing the test, a
// screenshot in tests/e2e/artifacts/ when a test fails, and valid test people.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BASE_URL = (process.env.QINXUE_BASE_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'artifacts');

// The demo data of DESIGN.md §7.
export const DEMO_PASSWORD = 'Demo@2017';
export const DEMO_GRADED_TRAINEE = '350502198001011235';

// Tablets of DESIGN.md §6: a 10-inch screen, portrait and landscape.
const TABLET = {
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  userAgent:
    'Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
};
export const TABLET_PORTRAIT = { ...TABLET, viewport: { width: 800, height: 1280 } };
export const TABLET_LANDSCAPE = { ...TABLET, viewport: { width: 1280, height: 800 } };

/** Headless Debian Chromium. Playwright gives it a fresh --user-data-dir and --no-sandbox (needed
 * as root); the other flags keep it from reaching for the network this machine does not have. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.QINXUE_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    chromiumSandbox: false,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Runs `fn(page)` in a fresh context (own cookies and storage) of `browser`. Any uncaught page
 * error fails the test; console errors are reported as diagnostics. On failure a full-page
 * screenshot is written to tests/e2e/artifacts/<test name>.png.
 */
export async function withPage(browser, t, fn, contextOptions = {}) {
  // bypassCSP: the server's policy (rightly) refuses injected scripts, and axe-core is one.
  const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', bypassCSP: true, ...contextOptions });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err));
  page.on('console', (msg) => {
    // GET /api/me answers 401 to every visitor: Chromium logs that as an error, and it is none.
    if (msg.type() === 'error' && !/status of 401/.test(msg.text())) t.diagnostic(`console error: ${msg.text()}`);
  });
  try {
    await fn(page);
    assert.deepEqual(pageErrors.map(String), [], 'the page threw uncaught errors');
  } catch (err) {
    if (pageErrors.length) t.diagnostic(`page errors: ${pageErrors.map(String).join(' | ')}`);
    await screenshot(page, t.name).catch((e) => t.diagnostic(`no screenshot: ${e}`));
    throw err;
  } finally {
    await context.close();
  }
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name.replace(/[^\p{L}\p{N}_-]+/gu, '-').slice(0, 100)}.png`);
  await page.screenshot({ path: file, fullPage: true });
}

export const url = (p) => `${BASE_URL}${p}`;

// ---------- accessibility ----------

const AXE = readFileSync(fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url)), 'utf8');

/** Runs axe-core (pinned in package.json) on the page as it is now, for WCAG 2.1 A and AA, and
 * fails with every violation and where it is. `what` names the page state in the message.
 * axe runs in an isolated world of its own (the DevTools protocol's), which shares the DOM but
 * not the page's globals: tests that replace the page's timers (page.clock) would otherwise
 * stop axe's own, and nothing is left behind in the page.
 * Each check's address goes to the file QINXUE_AXE_LOG names (scripts/e2e.sh sets it), which
 * tests/e2e/axe-routes.check.mjs compares with the apps' routes after a full run. */
export async function expectAccessible(page, what) {
  if (process.env.QINXUE_AXE_LOG) appendFileSync(process.env.QINXUE_AXE_LOG, `${JSON.stringify({ url: page.url(), what })}\n`);
  const cdp = await page.context().newCDPSession(page);
  try {
    const { frameTree } = await cdp.send('Page.getFrameTree');
    const { executionContextId: contextId } = await cdp.send('Page.createIsolatedWorld', { frameId: frameTree.frame.id, worldName: 'axe-core' });
    const evaluate = async (expression) => {
      const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', { expression, contextId, awaitPromise: true, returnByValue: true });
      if (exceptionDetails) throw new Error(`axe-core failed on ${what}: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
      return result.value;
    };
    await evaluate(AXE);
    const violations = await evaluate(`axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }).then((result) =>
      result.violations.map((v) => \`\${v.id} (\${v.impact}): \${v.help} — \${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}\`))`);
    assert.deepEqual(violations, [], `axe-core finds no WCAG A/AA violation on ${what}`);
  } finally {
    await cdp.detach().catch(() => {});
  }
}

// ---------- test people ----------

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/** The GB 11643 check character of the first 17 digits. */
export function checkChar(first17) {
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * WEIGHTS[i], 0);
  return CHECK_CHARS[sum % 11];
}

// Test files run in separate processes against one server, so uniqueness comes from random
// numbers (a clash needs the same birth date and sequence, or the same 9 random digits), and
// within a process from remembering what was handed out.
const issued = new Set();
function unique(make) {
  for (;;) {
    const value = make();
    if (!issued.has(value)) return issued.add(value), value;
  }
}

/** A valid 身份证号: a 泉州 birth region, a real birth date between 1965 and 2004, a random
 * sequence number and the right check character. */
export function newIdNumber(region = '350502') {
  return unique(() => {
    const first17 = `${region}${1965 + randomInt(40)}${pad(1 + randomInt(12), 2)}${pad(1 + randomInt(28), 2)}${pad(randomInt(1000), 3)}`;
    return first17 + checkChar(first17);
  });
}

/** The same number with a wrong check character. */
export function withWrongCheckChar(id) {
  const right = id[17];
  const wrong = CHECK_CHARS[(CHECK_CHARS.indexOf(right) + 1) % 11];
  return id.slice(0, 17) + wrong;
}

/** An 11-digit mobile number starting with 1. */
export function newPhone() {
  return unique(() => `13${pad(randomInt(1e9), 9)}`);
}

function pad(n, width) {
  return String(n).padStart(width, '0');
}

/** A trainee as the registration form takes it; `grade` is the wire value (DESIGN.md §7). */
export function newTrainee(grade) {
  return {
    id_number: newIdNumber(),
    name: grade === 'ungraded' ? '测试未定级' : '测试学员',
    phone: newPhone(),
    password: 'Qinxue@2026',
    employment_type: 'in_post',
    grade,
  };
}

// ---------- flows through the UI ----------

/** Selects `value` in a <select>, waiting until the option exists (options may load late). */
async function selectWhenLoaded(page, selector, value) {
  const select = page.locator(selector);
  await select.locator(`option[value="${value}"]`).waitFor({ state: 'attached' });
  await select.selectOption(value);
}

/** Values of the non-empty options of a <select>, after waiting `ms` for at least one. */
async function optionValues(page, selector, ms = 5_000) {
  const options = page.locator(`${selector} option:not([value=""])`);
  await options.first().waitFor({ state: 'attached', timeout: ms }).catch(() => {});
  return options.evaluateAll((os) => os.map((o) => o.value).filter((v) => v !== ''));
}

/**
 * Picks a unit with the city → county → unit selects: 泉州市 (where most demo units are) if it is
 * offered, else the first city; then the first county whose unit list is not empty, and its
 * first unit. The county is optional in the form, so a city whose counties have no unit of
 * their own falls back to the city's whole list.
 */
export async function pickUnit(page) {
  const cities = await optionValues(page, SEL.city);
  assert.ok(cities.length > 0, 'the city select offers no city');
  const quanzhou = page.locator(`${SEL.city} option`, { hasText: '泉州市' });
  await page.locator(SEL.city).selectOption((await quanzhou.count()) ? await quanzhou.first().getAttribute('value') : cities[0]);
  for (const county of await optionValues(page, SEL.county)) {
    await page.locator(SEL.county).selectOption(county);
    const units = await optionValues(page, SEL.unit, 1_000); // filtered in the page: no wait for the network
    if (units.length) return page.locator(SEL.unit).selectOption(units[0]);
  }
  if (await page.locator(SEL.county).count()) await page.locator(SEL.county).selectOption('');
  const units = await optionValues(page, SEL.unit);
  assert.ok(units.length > 0, 'the chosen city offers no unit');
  await page.locator(SEL.unit).selectOption(units[0]);
}

// Selectors of the registration form: every field is named as in the API (DESIGN.md §7).
export const SEL = {
  city: 'select[name=city]',
  county: 'select[name=county]',
  unit: 'select[name=unit_id]',
  requiredHours: '[data-testid=required-hours]',
  fee: '[data-testid=fee]',
  logout: 'header button:has-text("退出")',
};

/** Fills the form at /register with `trainee` (see newTrainee) and submits it. */
export async function fillRegistration(page, trainee) {
  await page.goto(url('/register'));
  await page.fill('input[name=id_number]', trainee.id_number);
  await page.fill('input[name=name]', trainee.name);
  await page.fill('input[name=phone]', trainee.phone);
  await page.fill('input[name=password]', trainee.password);
  await page.fill('input[name=password_confirm]', trainee.password);
  await pickUnit(page);
  await selectWhenLoaded(page, 'select[name=employment_type]', trainee.employment_type);
  const trades = await optionValues(page, 'select[name=trade]');
  await page.locator('select[name=trade]').selectOption(trainee.trade ?? trades[0]);
  await selectWhenLoaded(page, 'select[name=grade]', trainee.grade);
  await page.locator('form button[type=submit]').click();
}

/** Logs in at /login and waits for the page it lands on (a trainee's home by default). */
export async function logIn(page, login, password, landing = '/') {
  await page.goto(url('/login'));
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', password);
  await page.locator('form button[type=submit]').click();
  await page.waitForURL(url(landing));
}

/** Signs in a demo administrator, who lands on the admin app's home. */
export async function logInAdmin(page, login) {
  await logIn(page, login, DEMO_PASSWORD, '/admin/');
  await page.getByTestId('role').waitFor();
}

/** Clicks 退出 (log out) in the header and waits until the server has ended the session and
 * the header offers 登录 again. */
export async function logOut(page) {
  const loggedOut = page.waitForResponse((r) => r.url().endsWith('/api/auth/logout') && r.request().method() === 'POST');
  await page.locator(SEL.logout).click();
  assert.equal((await loggedOut).status(), 204, 'logout answers 204');
  await page.locator('header').getByRole('link', { name: '登录' }).waitFor();
}

/** Asserts the trainee home shows this year's requirement (学时) and fee (元, e.g. "126.00"). */
export async function expectHome(page, hours, feeYuan) {
  const hoursCell = page.locator(SEL.requiredHours);
  await hoursCell.waitFor();
  assert.match(await hoursCell.innerText(), new RegExp(`(^|\\D)${hours}(\\D|$)`));
  assert.match(await page.locator(SEL.fee).innerText(), new RegExp(`(^|[^\\d.])${feeYuan.replace('.', '\\.')}(\\D|$)`));
}

// ---------- study ----------

/** Moves the server's test clock (QINXUE_TEST_CLOCK=1) forward by `advanceSecs` and, with
 * `freeze`, stops it there (`false` lets it run again). Answers the server's new now. */
/**
 * Stops the page's installed fake clock a moment ahead, so that the test runs it by hand. The
 * moment is a second ahead: with less, a loaded machine could pass it before the call lands,
 * and Playwright refuses to pause in the past.
 */
export async function pauseClock(page) {
  await page.clock.pauseAt(await page.evaluate(() => Date.now() + 1000));
}

export async function serverClock(page, advanceSecs, freeze = true) {
  const res = await page.request.post(url('/api/test/clock'), { data: { advance_secs: advanceSecs, freeze } });
  assert.equal(res.status(), 200, 'the test clock answers 200 (is QINXUE_TEST_CLOCK=1 set?)');
  return (await res.json()).now;
}

/** Seconds the lesson page shows as credited for the lesson (its data-secs). */
export async function lessonCredited(page) {
  return Number(await page.locator('[data-testid=lesson-credited]').getAttribute('data-secs'));
}

/** Waits until the lesson page shows `secs` credited for the lesson. */
export async function waitForLessonCredited(page, secs) {
  await page.waitForFunction(
    (s) => document.querySelector('[data-testid=lesson-credited]')?.getAttribute('data-secs') === String(s),
    secs,
  );
}

/** Pretends the page was hidden (another tab, the tablet's home button) or shown again: the
 * Page Visibility API as the player sees it. */
export async function setVisibility(page, state) {
  await page.evaluate((s) => {
    Object.defineProperty(document, 'visibilityState', { value: s, configurable: true });
    Object.defineProperty(document, 'hidden', { value: s === 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);
}

/** Whether a response is a heartbeat of the study player. */
export const isHeartbeat = (r) => /\/api\/study\/sessions\/\d+\/heartbeat$/.test(r.url()) && r.request().method() === 'POST';
