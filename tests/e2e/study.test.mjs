// The study player in headless Chromium (issue 3): studying a text lesson earns credited time,
// an anti-idle check appears and is answered, hiding the page stops the time; and a video lesson
// plays on a tablet. Two clocks move together: the browser's (Playwright's fake timers, which
// fire the player's heartbeat timer) and the server's test clock, so that each heartbeat lands
// exactly 20 s after the previous one.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_GRADED_TRAINEE, DEMO_PASSWORD, TABLET_PORTRAIT, expectAccessible, isHeartbeat, launchBrowser, lessonCredited, logIn,
  serverClock, setVisibility, url, waitForLessonCredited, withPage,
  pauseClock,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const BEAT_SECS = 20;

/** Opens the first lesson of `kind` (图文 or 视频) among the trainee's courses on 我的学习 and
 * waits until its study session has started (201). */
async function openLesson(page, kind) {
  await page.goto(url('/study'));
  const lesson = page.locator('.courses').first().locator('.lessons li', { hasText: kind }).first();
  const started = page.waitForResponse((r) => r.url().endsWith('/api/study/sessions') && r.request().method() === 'POST');
  await lesson.locator('a').click();
  assert.equal((await started).status(), 201, 'the study session starts');
  // Not "正在计时" before the server has credited anything: confirming, or (video) press play.
  await page.locator('[data-testid=study-status]:is([data-state=confirming], [data-state=not-playing])').waitFor();
}

/** One heartbeat interval on both clocks; answers the heartbeat's reply once the page shows it. */
async function beat(page) {
  await serverClock(page, BEAT_SECS);
  const reply = page.waitForResponse(isHeartbeat);
  // Reading during the interval, by key: the page has handled a key when the call returns, while
  // a wheel reaches the player's (passive) listeners later, sometimes only after the clock below
  // fired the heartbeat, which then reported no input.
  await page.keyboard.press('ArrowDown');
  await page.clock.runFor(BEAT_SECS * 1000);
  const res = await reply;
  assert.equal(res.status(), 200, 'the heartbeat is accepted');
  const body = await res.json();
  await waitForLessonCredited(page, body.lesson_credited_secs);
  return body;
}

test('studying a text lesson earns time, the anti-idle check is answered, and a hidden page earns nothing', async (t) => {
  await withPage(browser, t, async (page) => {
    await page.clock.install();
    await logIn(page, DEMO_GRADED_TRAINEE, DEMO_PASSWORD);
    await serverClock(page, 0, true);
    try {
      await openLesson(page, '图文');
      // From here on the browser's time moves only when the test says so.
      await pauseClock(page);
      const start = await lessonCredited(page);

      let reply = await beat(page);
      assert.equal(reply.credited_secs, BEAT_SECS, 'the first interval is credited in full');
      assert.equal(await lessonCredited(page), start + BEAT_SECS, 'the page shows the credited time');
      assert.match(await page.locator('[data-testid=year-credited]').innerText(), /\d+\.\d \/ 42 学时/);

      // The server asks within 5–15 minutes (45 heartbeats).
      const dialog = page.getByRole('alertdialog');
      for (let i = 0; i < 46 && !reply.check; i++) reply = await beat(page);
      assert.ok(reply.check, 'an anti-idle check came within 15 minutes');
      await dialog.waitFor();
      assert.equal(await dialog.getAttribute('aria-modal'), 'true');
      const prompt = await page.locator('#check-prompt').innerText();
      const [, a, b] = prompt.match(/(\d+)\s*\+\s*(\d+)/) ?? [];
      assert.ok(a && b, `the prompt is a sum: ${prompt}`);
      assert.ok(await page.evaluate(() => document.activeElement?.closest('[role=alertdialog]') !== null), 'focus moved into the check');
      const options = dialog.getByRole('button');
      assert.equal(await options.count(), reply.check.options.length, 'every option is a button');
      const height = (await options.first().boundingBox()).height;
      assert.ok(height >= 48, `answer buttons are at least 48 px high (${height})`);
      assert.match(await page.locator('[data-testid=check-left]').innerText(), /\d+ 秒/, 'a countdown is shown');
      await expectAccessible(page, 'a text lesson with its anti-idle check open');
      await page.keyboard.press('Escape');
      assert.ok(await dialog.isVisible(), 'Escape does not dismiss the check');

      const answered = page.waitForResponse((r) => r.url().includes('/api/study/checks/'));
      await dialog.getByRole('button', { name: String(Number(a) + Number(b)), exact: true }).click();
      assert.equal((await answered).status(), 200, 'the right answer is accepted');
      await dialog.waitFor({ state: 'hidden' });

      const afterCheck = await lessonCredited(page);
      for (let i = 1; i <= 2; i++) {
        reply = await beat(page);
        assert.equal(reply.credited_secs, BEAT_SECS, 'after the check every interval is credited again');
        assert.equal(await lessonCredited(page), afterCheck + i * BEAT_SECS);
      }

      // Hidden: no heartbeats, no credit, however long.
      const hidden = await lessonCredited(page);
      let sent = 0;
      const count = (r) => { if (/\/heartbeat$/.test(r.url())) sent++; };
      page.on('request', count);
      await setVisibility(page, 'hidden');
      await page.locator('[data-testid=study-status]', { hasText: '暂停' }).waitFor();
      await expectAccessible(page, 'a text lesson while the page is hidden');
      // Two minutes, under both of the server's reasons to ask a check on return: the next check
      // is drawn at least five minutes after the answer, and three minutes without input (the
      // ledger's idle_check_secs) open one at once. With three minutes hidden the idle check
      // opened whenever the last ArrowDown's scroll event had reached the page before the
      // heartbeat before hiding (then nothing carried input into the hidden interval), and the
      // heartbeat after the return was rightly held (CI, "crediting resumes").
      await serverClock(page, 2 * 60);
      await page.clock.runFor(2 * 60 * 1000);
      page.off('request', count);
      assert.equal(sent, 0, 'a hidden page sends no heartbeats');
      assert.equal(await lessonCredited(page), hidden, 'a hidden page earns nothing');

      // Shown again: one heartbeat closes the hidden interval (nothing credited), then time counts.
      const closing = page.waitForResponse(isHeartbeat);
      await setVisibility(page, 'visible');
      const closed = await (await closing).json();
      assert.equal(closed.verdict, 'hidden');
      assert.equal(closed.credited_secs, 0, 'the hidden two minutes earn nothing');
      await waitForLessonCredited(page, closed.lesson_credited_secs);
      reply = await beat(page);
      assert.equal(reply.credited_secs, BEAT_SECS, `crediting resumes once the page is visible: ${JSON.stringify(reply)}`);
      assert.equal(await lessonCredited(page), hidden + BEAT_SECS);
    } finally {
      await serverClock(page, 0, false);
    }
  });
});

test('a lost heartbeat goes again with the same number, and a second tab stops the first, which can take over again', async (t) => {
  await withPage(browser, t, async (page) => {
    await page.clock.install();
    await logIn(page, DEMO_GRADED_TRAINEE, DEMO_PASSWORD);
    await serverClock(page, 0, true);
    try {
      await openLesson(page, '图文');
      await pauseClock(page);
      const start = await lessonCredited(page);

      // The network drops the first try; the retry a second later carries the same seq.
      const seqs = [];
      let drop = true;
      await page.route('**/api/study/sessions/*/heartbeat', (route) => {
        seqs.push(JSON.parse(route.request().postData()).seq);
        if (drop) {
          drop = false;
          return route.abort('internetdisconnected');
        }
        return route.continue();
      });
      await serverClock(page, BEAT_SECS);
      await page.clock.runFor(BEAT_SECS * 1000);
      await page.locator('[data-testid=study-status][data-state=offline]', { hasText: '网络中断' }).waitFor();
      const retried = page.waitForResponse(isHeartbeat);
      await page.clock.runFor(1000);
      const reply = await (await retried).json();
      assert.equal(seqs.length, 2);
      assert.equal(seqs[1], seqs[0], 'the retry repeats the sequence number');
      assert.equal(reply.credited_secs, BEAT_SECS, 'the interval is credited once');
      await waitForLessonCredited(page, start + BEAT_SECS);
      await page.unroute('**/api/study/sessions/*/heartbeat');

      // Another tab opens the same lesson: this one is told, and stops.
      const other = await page.context().newPage();
      const taken = other.waitForResponse((r) => r.url().endsWith('/api/study/sessions') && r.request().method() === 'POST');
      await other.goto(page.url());
      assert.equal((await taken).status(), 201);
      await serverClock(page, BEAT_SECS);
      const refused = page.waitForResponse(isHeartbeat);
      await page.clock.runFor(BEAT_SECS * 1000);
      assert.equal((await refused).status(), 409);
      await page.locator('[data-testid=study-status]', { hasText: '其他页面或设备' }).waitFor();
      await expectAccessible(page, 'a lesson another tab took over');
      await other.close();

      // Continuing here opens a new session.
      const again = page.waitForResponse((r) => r.url().endsWith('/api/study/sessions') && r.request().method() === 'POST');
      await page.getByRole('button', { name: '在此页面继续学习' }).click();
      assert.equal((await again).status(), 201);
      await page.locator('[data-testid=study-status][data-state=confirming]').waitFor();
      assert.ok(!(await page.getByRole('button', { name: '在此页面继续学习' }).isVisible()));
    } finally {
      await serverClock(page, 0, false);
    }
  });
});

test('on a tablet in portrait a video lesson opens in the player with its transcript', async (t) => {
  await withPage(browser, t, async (page) => {
    await logIn(page, DEMO_GRADED_TRAINEE, DEMO_PASSWORD);
    await openLesson(page, '视频');
    const video = page.locator('video');
    await video.waitFor();
    await page.waitForFunction(() => document.querySelector('video').readyState >= 1, null, { timeout: 10_000 });
    const duration = await video.evaluate((v) => v.duration);
    assert.ok(duration > 20 && duration < 70, `the clip's length is read (${duration} s)`);
    await page.getByRole('heading', { name: '文字稿' }).waitFor();
    await page.locator('[data-testid=lesson-credited]').waitFor();
    const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    assert.ok(scroll <= client, `page is ${scroll}px wide in a ${client}px viewport`);
    await expectAccessible(page, 'a video lesson on a tablet');
  }, TABLET_PORTRAIT);
});
