// Supervised group study in a computer room (issue 10), in headless Chromium: the office admin
// schedules, changes and cancels a session; the proctor runs the demo room (QZJZ2626) on a
// tablet; three seats, each a browser context of its own, sign in with 身份证号 and the PIN,
// study, and meet a roll call that one answers at the seat, one misses, and one is ticked on
// the console and then leaves early; the proctor closes the room and every seat is cleared;
// the attendance shows each person's credited time.
//
// As in study.test.mjs two clocks move together: each seat page's (Playwright's fake timers,
// which fire the player's heartbeat) and the server's test clock, so that every heartbeat lands
// exactly 20 s after the previous one and credited seconds are exact.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'playwright-core';
import {
  BASE_URL, DEMO_GRADED_TRAINEE, DEMO_PASSWORD, TABLET_LANDSCAPE, TABLET_PORTRAIT, expectAccessible, isHeartbeat,
  launchBrowser, logInAdmin, newTrainee, serverClock, url, withPage,
  pauseClock,
} from './helpers.mjs';

const PAYSIM_URL = (process.env.PAYSIM_BASE_URL ?? 'http://127.0.0.1:8090').replace(/\/$/, '');
const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'artifacts');
const ROOM = 'QZJZ2626';
const BEAT_SECS = 20;
const DESKTOP = { viewport: { width: 1280, height: 800 } };

let browser;
before(async () => { browser = await launchBrowser(); mkdirSync(ARTIFACTS, { recursive: true }); });
after(async () => { await browser?.close(); });

const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `group-${name}.png`), fullPage: true });

/** A new trainee of 鲤城区's demo unit, registered and paid for the year through the payment
 * simulator's cashier (its 确认支付 form), in a client of its own; answers the 身份证号, name and id. */
async function paidTrainee(name) {
  const client = await request.newContext({ baseURL: BASE_URL });
  try {
    const units = await (await client.get('/api/units')).json();
    const unit = units.find((u) => u.name === '泉州市鲤城区机关事务服务中心');
    assert.ok(unit, 'the demo unit exists');
    const trainee = { ...newTrainee('senior'), name, unit_id: unit.id, trade: '电工' };
    const res = await client.post('/api/auth/register', { data: trainee });
    assert.equal(res.status(), 201, 'the trainee registers');
    const { id } = await res.json();
    const year = (await (await client.get('/api/me')).json()).year.year;
    const order = await client.post('/api/orders', { data: { year } });
    assert.equal(order.status(), 201, 'the order opens');
    const payment = new URL((await order.json()).pay_url).pathname.split('/').pop();
    const paid = await client.post(`${PAYSIM_URL}/cashier/${payment}/pay`, { maxRedirects: 0 });
    assert.equal(paid.status(), 303, 'the cashier takes the payment');
    for (let i = 0; i < 100; i++) {
      if ((await (await client.get('/api/me')).json()).year.enrolled) return { idNumber: trainee.id_number, name, id };
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the payment was not notified within 10 s');
  } finally {
    await client.dispose();
  }
}

/** A seat: a browser context of its own at 1280×800 with fake timers, at the room's sign-in. */
async function openSeat(person, room = ROOM) {
  const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...DESKTOP });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.clock.install();
  await page.goto(url(`/room/${room}`));
  return { ...person, context, page, errors, credited: 0 };
}

async function signIn(seat, pin, room = ROOM) {
  const { page } = seat;
  await page.getByLabel('身份证号').fill(seat.idNumber);
  await page.getByLabel(/签到码/).fill(pin);
  const answer = page.waitForResponse((r) => r.url().endsWith(`/api/rooms/${room}/sign-in`));
  await page.getByRole('button', { name: '签到并开始学习' }).click();
  assert.equal((await answer).status(), 200, `${seat.name} is seated`);
  await page.getByTestId('seat-name').filter({ hasText: seat.name }).waitFor();
}

/** Opens the course's first lesson at the seat and waits for its study session. */
async function openLesson(seat) {
  const { page } = seat;
  const started = page.waitForResponse((r) => r.url().endsWith('/api/study/sessions') && r.request().method() === 'POST');
  await page.getByTestId('seat-lesson').first().click();
  assert.equal((await started).status(), 201, `${seat.name}'s study session starts`);
  // Timing (正在计时), or confirming it until the first heartbeat is credited.
  await page.locator('[data-testid=study-status]').filter({ hasText: /正在计时|正在确认计时/ }).waitFor();
  await pauseClock(page);
}

/** One heartbeat interval: the server's clock, then every seat's; answers each reply. */
async function beat(seats, proctor) {
  await serverClock(proctor, BEAT_SECS);
  const replies = [];
  for (const seat of seats) {
    const reply = seat.page.waitForResponse(isHeartbeat);
    // Reading during the interval, by key: the page has handled a key when the call returns,
    // while a wheel goes to the page's (passive) listeners later, sometimes only after the
    // clock below fired the heartbeat, which then reported no input (an idle seat).
    await seat.page.keyboard.press('ArrowDown');
    await seat.page.clock.runFor(BEAT_SECS * 1000);
    const res = await reply;
    assert.equal(res.status(), 200, `${seat.name}'s heartbeat is accepted`);
    const body = await res.json();
    seat.credited += body.credited_secs;
    replies.push(body);
  }
  return replies;
}

/** The console's card of a person. */
const card = (proctor, seat) => proctor.locator(`[data-testid=seat][data-trainee="${seat.id}"]`);

test('the office admin schedules a session in the region, changes it and calls it off', async (t) => {
  await withPage(browser, t, async (page) => {
    await logInAdmin(page, 'quanzhou-admin');
    await page.getByRole('link', { name: '集中学习' }).first().click();
    await page.waitForURL(url('/admin/group-sessions'));
    await page.locator(`[data-testid=group-session][data-code=${ROOM}]`).waitFor();
    await page.getByRole('link', { name: '安排一场集中学习' }).click();
    await page.getByRole('button', { name: '安排' }).click();
    await page.locator('#err-title', { hasText: '请填写名称' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'title', 'the first field at fault has the focus');

    await page.getByLabel('名称').fill('鲤城区第二期集中学习');
    await page.getByLabel('地点（机房）').fill('区图书馆二楼电子阅览室');
    const day = new Date(Date.now() + 3 * 86400_000).toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
    await page.getByLabel('开始时间').fill(`${day}T09:00`);
    await page.getByLabel('结束时间').fill(`${day}T11:30`);
    await page.getByLabel('座位数').fill('40');
    const course = page.locator('select[name=course_id]');
    await course.locator('option:not([value=""])').first().waitFor({ state: 'attached' });
    await course.selectOption({ index: 1 });
    await page.getByLabel('监考员登录名').fill('proctor-demo');
    await page.locator('select[name=region_code] option[value="350502"]').waitFor({ state: 'attached' });
    await page.locator('select[name=region_code]').selectOption('350502');
    await page.getByRole('button', { name: '安排' }).click();
    await page.waitForURL(/\/admin\/group-sessions\/\d+$/);
    await page.getByRole('heading', { name: /鲤城区第二期集中学习/ }).waitFor();
    assert.match(await page.locator('main').innerText(), /09:00–11:30[\s\S]*区图书馆二楼电子阅览室（福建省 泉州市 鲤城区）/);
    await shot(page, 'scheduled-1280x800');

    await page.getByRole('link', { name: '修改或取消' }).click();
    await page.getByLabel('座位数').fill('30');
    await page.getByRole('button', { name: '保存修改' }).click();
    await page.waitForURL(/\/admin\/group-sessions\/\d+$/);
    await page.getByText(/30 个 · 本地区已缴费学员均可参加/).waitFor();

    await page.getByRole('link', { name: '修改或取消' }).click();
    await page.getByRole('button', { name: '取消本场集中学习' }).click();
    await page.getByRole('button', { name: '确认取消' }).click();
    await page.waitForURL(/\/admin\/group-sessions\/\d+$/);
    await page.getByTestId('group-status').filter({ hasText: '已取消' }).waitFor();
  }, DESKTOP);
});

test('a proctor runs the demo room on a tablet: seats sign in by PIN, study, a roll call is answered, missed and ticked, one leaves early, closing clears every seat and the attendance credits each person exactly', async (t) => {
  const people = [
    { idNumber: DEMO_GRADED_TRAINEE, name: '王建国' },
    await paidTrainee('测试甲'),
    await paidTrainee('测试乙'),
  ];
  await withPage(browser, t, async (proctor) => {
    await logInAdmin(proctor, 'proctor-demo');
    const me = await (await proctor.request.get(url('/api/me'))).json();
    assert.equal(me.role, 'proctor');
    await serverClock(proctor, 0, true);
    const seats = [];
    try {
      await proctor.getByRole('link', { name: '集中学习' }).first().click();
      const demo = proctor.locator(`[data-testid=group-session][data-code=${ROOM}]`);
      await demo.getByTestId('open-console').click();
      await proctor.waitForURL(/\/admin\/group-sessions\/\d+\/console$/);
      const sessionId = Number(proctor.url().match(/group-sessions\/(\d+)\/console/)[1]);
      await proctor.getByTestId('console-open').tap();
      const pin = (await proctor.getByTestId('console-pin').innerText()).trim();
      assert.match(pin, /^\d{6}$/, 'a 6-digit PIN is shown');
      await proctor.getByTestId('console-live').waitFor();

      // 换一个: a new PIN; the old one no longer seats anyone.
      await proctor.getByTestId('console-new-pin').tap();
      await proctor.waitForFunction((old) => document.querySelector('[data-testid=console-pin]')?.textContent.trim() !== old, pin);
      const newPin = (await proctor.getByTestId('console-pin').innerText()).trim();

      for (const person of people) seats.push(await openSeat(person));
      const [a, b, c] = seats;
      // The first PIN was replaced.
      await a.page.getByLabel('身份证号').fill(a.idNumber);
      await a.page.getByLabel(/签到码/).fill(pin);
      await a.page.getByRole('button', { name: '签到并开始学习' }).click();
      await a.page.getByRole('alert').filter({ hasText: '签到码不正确' }).waitFor();
      await shot(a.page, 'kiosk-wrong-pin-1280x800');
      for (const seat of seats) await signIn(seat, newPin);
      const view = await (await proctor.request.get(url(`/api/group-sessions/${sessionId}`))).json();
      // 王建国's id (the demo's) comes from the session's seats.
      for (const seat of seats) seat.id = seat.id ?? view.seats.find((s) => s.name === seat.name).trainee_id;
      await expectAccessible(a.page, 'the kiosk seated, with its lessons');
      await shot(a.page, 'kiosk-seated-1280x800');

      // All three on the console, live.
      for (const seat of seats) await card(proctor, seat).waitFor();
      await proctor.getByTestId('count-seated').filter({ hasText: '3 / ' }).waitFor();

      for (const seat of seats) await openLesson(seat);
      await expectAccessible(a.page, 'the seat lesson');
      await beat(seats, proctor);
      assert.deepEqual(seats.map((s) => s.credited), [20, 20, 20], 'the first interval is credited in full at each seat');
      for (const seat of seats) await card(proctor, seat).and(proctor.locator('[data-state=active]')).waitFor();
      await proctor.getByTestId('console-live').waitFor();
      await shot(proctor, 'console-studying-1280x800');

      // The proctor calls the roll; every seat is asked on its next heartbeat.
      await proctor.getByTestId('console-roll-call').tap();
      await proctor.getByTestId('roll-call-running').waitFor();
      const replies = await beat(seats, proctor);
      for (const r of replies) assert.equal(r.check?.kind, 'roll_call', 'each seat gets the roll call as its check');
      for (const seat of seats) await seat.page.getByRole('alertdialog').waitFor();
      await shot(b.page, 'kiosk-roll-call-1280x800');

      // 王建国 answers at his seat; 测试乙 is ticked on the console; 测试甲 does nothing.
      const answered = a.page.waitForResponse((r) => r.url().includes('/api/study/checks/'));
      await a.page.getByRole('alertdialog').getByRole('button', { name: '我在' }).click();
      const passed = await answered;
      assert.equal(passed.status(), 200, 'the answer is taken');
      a.credited += (await passed.json()).credited_secs;
      await card(proctor, c).getByTestId('seat-tick').tap();
      await card(proctor, c).filter({ hasText: '点名：已到' }).waitFor();
      await card(proctor, a).filter({ hasText: '点名：已到' }).waitFor();
      await card(proctor, b).filter({ hasText: '点名：待确认' }).waitFor();
      // Problems first: the one who has not answered leads the grid.
      assert.equal(await proctor.getByTestId('seat').first().getAttribute('data-trainee'), String(b.id), 'the pending seat comes first');
      await proctor.getByTestId('hide-healthy').check();
      assert.equal(await proctor.getByTestId('seat').count(), 1, 'hide healthy leaves only the pending seat');
      await shot(proctor, 'console-roll-call-1280x800');
      await proctor.setViewportSize({ width: 800, height: 1280 });
      await shot(proctor, 'console-roll-call-800x1280');
      await proctor.setViewportSize({ width: 1280, height: 800 });
      await proctor.getByTestId('hide-healthy').uncheck();
      const small = await proctor.getByTestId('console-roll-call').boundingBox();
      assert.ok(small.height >= 44, `console buttons are at least 44 px high (${small.height})`);

      // The next heartbeat: 测试乙's roll call is settled by the tick, so it is no longer asked.
      await beat(seats, proctor);
      await c.page.getByRole('alertdialog').waitFor({ state: 'hidden' });
      await b.page.getByRole('alertdialog').waitFor();

      // 测试乙 leaves early: signed out, the terminal is cleared for the next person.
      await c.page.evaluate(() => { localStorage.setItem('qinxue.left-behind', '1'); sessionStorage.setItem('x', '1'); });
      await c.page.getByTestId('seat-sign-out').first().click();
      await c.page.waitForURL(url(`/room/${ROOM}?bye=signed_out`));
      await c.page.getByText('您已签退').waitFor();
      assert.deepEqual(await c.page.evaluate(() => [localStorage.length, sessionStorage.length]), [0, 0], 'nothing of the last person stays in storage');
      assert.equal((await c.context.cookies()).filter((k) => k.name === 'qinxue_seat').length, 0, 'the seat cookie is gone');
      await card(proctor, c).and(proctor.locator('[data-state=left]')).waitFor();
      const studying = seats.filter((s) => s !== c);

      // Two more intervals: the roll call's window (60 s) closes unanswered for 测试甲.
      await beat(studying, proctor);
      await beat(studying, proctor);
      await card(proctor, b).filter({ hasText: '点名：未应答' }).waitFor();

      // Closing signs every seat out and clears each terminal.
      for (const seat of studying) {
        seat.loads = [];
        seat.page.on('framenavigated', (f) => { if (f === seat.page.mainFrame()) seat.loads.push(f.url()); });
      }
      await proctor.getByTestId('console-close').tap();
      await proctor.getByTestId('console-close-confirm').tap();
      await proctor.getByTestId('console-closed').waitFor();
      // Each seat hears it on its event stream at once (no clock needs to move), and its page
      // is loaded anew once.
      for (const seat of studying) {
        await seat.page.waitForURL(url(`/room/${ROOM}?bye=closed`));
        await seat.page.getByText('本场集中学习已结束，本机已签退。').waitFor();
        assert.deepEqual(seat.loads, [url(`/room/${ROOM}?bye=closed`)], `${seat.name}'s terminal is loaded anew once`);
      }
      await shot(a.page, 'kiosk-closed-1280x800');

      const rows = proctor.getByTestId('attendance-row');
      await rows.first().waitFor();
      const shown = Object.fromEntries(await rows.evaluateAll((rs) => rs.map((r) => [r.dataset.trainee, Number(r.dataset.secs)])));
      assert.deepEqual(
        { a: shown[a.id], b: shown[b.id], c: shown[c.id] },
        { a: a.credited, b: 20, c: 60 },
        'the answered seat keeps every interval, the missed one only what came before the roll call, the early leaver what was before leaving',
      );
      assert.equal(a.credited, 100, 'five intervals of 20 s at the seat that answered');
      await shot(proctor, 'console-closed-1280x800');
      await proctor.setViewportSize({ width: 800, height: 1280 });
      await shot(proctor, 'console-closed-800x1280');
      for (const seat of seats) assert.deepEqual(seat.errors, [], `${seat.name}'s page threw nothing`);
    } finally {
      await serverClock(proctor, 0, false);
      for (const seat of seats) await seat.context.close();
    }
  }, TABLET_LANDSCAPE);
});

/** Schedules a session in 鲤城区 for proctor-demo by the API, as quanzhou-admin: the demo
 * room's course, starting a minute after the server's now; `extra` adds to the request.
 * Answers the created session's id and room code. */
async function scheduleRoom(title, format, extra = {}) {
  const client = await request.newContext({ baseURL: BASE_URL });
  try {
    const login = await client.post('/api/auth/login', { data: { login: 'quanzhou-admin', password: DEMO_PASSWORD } });
    assert.equal(login.status(), 200, 'the office admin signs in');
    const demo = (await (await client.get('/api/group-sessions')).json()).find((g) => g.code === ROOM);
    const now = Date.parse((await (await client.post('/api/test/clock', { data: { advance_secs: 0, freeze: false } })).json()).now);
    const res = await client.post('/api/group-sessions', {
      data: {
        title, room: '区机关事务服务中心三楼机房', format, capacity: 30, course_id: demo.course_id,
        starts_at: new Date(now + 60_000).toISOString(), ends_at: new Date(now + 3 * 3600_000).toISOString(),
        proctor_login: 'proctor-demo', region_code: '350502', ...extra,
      },
    });
    assert.equal(res.status(), 201, `the session is scheduled: ${await res.text()}`);
    return await res.json();
  } finally {
    await client.dispose();
  }
}

/** The proctor opens the console of session `id` and starts it. */
async function openConsole(proctor, id) {
  await logInAdmin(proctor, 'proctor-demo');
  await proctor.goto(url(`/admin/group-sessions/${id}/console`));
  await proctor.getByTestId('console-open').tap();
  await proctor.getByTestId('console-live').waitFor();
}

async function closeConsole(proctor) {
  await proctor.getByTestId('console-close').tap();
  await proctor.getByTestId('console-close-confirm').tap();
  await proctor.getByTestId('console-closed').waitFor();
}

async function atLeast44(locator, what) {
  const box = await locator.boundingBox();
  assert.ok(box.height >= 44 && box.width >= 44, `${what} is at least 44 px (${box.width}×${box.height})`);
}

test('the proctor seats a person by the seat code the kiosk shows, and the room practises together: seats answer, the console tallies, a paper answer counts', async (t) => {
  const [person, other] = [await paidTrainee('测试丙'), await paidTrainee('测试丁')];
  const room = await scheduleRoom('鲤城区座位码签到', 'seats', { trainee_ids: [person.id, other.id] });
  await withPage(browser, t, async (proctor) => {
    const seats = [];
    try {
      await openConsole(proctor, room.id);
      const seat = await openSeat(person, room.code);
      seats.push(seat);
      // The kiosk nobody sits at shows its 4-digit seat code.
      const shown = seat.page.getByTestId('seat-code').filter({ hasText: /^\d{4}$/ });
      await shown.waitFor();
      const code = (await shown.innerText()).trim();
      await expectAccessible(seat.page, 'the kiosk sign-in with its seat code');
      await shot(seat.page, 'kiosk-seat-code-1280x800');

      // A code no terminal shows is refused in words; nothing is seated.
      const seating = proctor.locator('.console-seating');
      await seating.getByLabel('座位码').fill(code === '0000' ? '0001' : '0000');
      await seating.getByLabel('身份证号').fill(person.idNumber);
      await seating.getByTestId('seating-submit').tap();
      await proctor.locator('#seating-alert').filter({ hasText: /\S/ }).waitFor();
      assert.equal(await proctor.getByTestId('seat').count(), 0, 'nobody is seated by a wrong code');
      // Too short a code is said before anything is sent.
      await seating.getByLabel('座位码').fill('12');
      await seating.getByTestId('seating-submit').tap();
      await proctor.locator('#err-seat_code').filter({ hasText: '4 位座位码' }).waitFor();

      // The assigned are offered by name and masked 身份证号 before anyone sat: one touch picks.
      const picks = seating.getByTestId('seating-pick');
      assert.deepEqual((await picks.allInnerTexts()).map((p) => p.split(/\s+/)[0]).sort(), [person.name, other.name].sort());
      for (const p of [person, other]) {
        const pick = picks.and(proctor.locator(`[data-trainee="${p.id}"]`));
        const shown = await pick.innerText();
        assert.ok(!shown.includes(p.idNumber), `${p.name}'s 身份证号 is masked: ${shown}`);
        assert.ok(shown.includes(p.idNumber.slice(-4)), `${p.name}'s pick ends with their 身份证号's last 4: ${shown}`);
      }
      await atLeast44(picks.first(), 'a pick');
      await seating.getByLabel('身份证号').fill('');
      await seating.getByLabel('座位码').fill(code);
      await picks.and(proctor.locator(`[data-trainee="${person.id}"]`)).tap();
      await seating.getByTestId('seating-submit').tap();
      await proctor.getByTestId('seating-done').filter({ hasText: code }).waitFor();
      await proctor.getByTestId('seating-done').filter({ hasText: person.name }).waitFor();
      // Seated now: only the other is offered.
      assert.deepEqual(await picks.evaluateAll((ps) => ps.map((p) => Number(p.dataset.trainee))), [other.id]);
      await expectAccessible(proctor, 'the console with 为学员签到');
      await atLeast44(seating.getByTestId('seating-submit'), 'the seat button');
      await shot(proctor, 'console-seating-800x1280');

      // The kiosk takes the seat at its next ask.
      await seat.page.clock.runFor(3_000);
      await seat.page.getByTestId('seat-name').filter({ hasText: person.name }).waitFor();
      await card(proctor, seat).waitFor();
      const view = await (await proctor.request.get(url(`/api/group-sessions/${room.id}`))).json();
      assert.equal(view.seats.find((s) => s.trainee_id === person.id)?.by_proctor, true, 'the seat was made by the proctor');

      // A second seat signs in by PIN; then the proctor pushes the course's practice set.
      const pin = (await proctor.getByTestId('console-pin').innerText()).trim();
      const second = await openSeat(other, room.code);
      seats.push(second);
      await signIn(second, pin, room.code);
      // The console shows the new seat before the tap: its arrival shortens 为学员签到 (nobody
      // left to pick), which moved the button up under a tap already aimed (CI, 1 run in 3).
      await card(proctor, second).waitFor();
      await proctor.getByTestId('practice-push').tap();
      const rows = proctor.getByTestId('tally-row');
      await rows.first().waitFor();
      assert.ok(await rows.count() >= 2, 'the set has the course\'s questions');

      // Each seat is offered the set on its event stream and answers the first question.
      for (const s of seats) {
        await s.page.getByTestId('seat-practice-open').click();
        await s.page.getByTestId('practice-question').first().waitFor();
      }
      await expectAccessible(seat.page, 'the seat practice');
      await shot(seat.page, 'kiosk-practice-1280x800');
      const first = (s) => s.page.getByTestId('practice-question').first();
      const qid = Number(await first(seat).getAttribute('data-question'));
      for (const s of seats) {
        const answered = s.page.waitForResponse((r) => r.url().endsWith('/practice/answers'));
        const options = first(s).getByTestId('practice-option');
        await options.first().click();
        const submit = first(s).getByTestId('practice-submit');
        if (await submit.count()) await submit.click();
        assert.equal((await answered).status(), 200, `${s.name}'s answer is taken`);
        await first(s).getByTestId('practice-verdict').waitFor();
      }
      const row = proctor.locator(`[data-testid=tally-row][data-question="${qid}"]`);
      await row.and(proctor.locator('[data-answered="2"]')).waitFor();
      const right = Number(await row.getAttribute('data-right'));
      const wrong = Number(await row.getAttribute('data-wrong'));
      assert.equal(right + wrong, 2, 'each answer is right or wrong');

      // 测试丙 gave the second question's answer on paper: the proctor records it.
      const paper = proctor.locator('.console-paper');
      const onPaper = await rows.nth(1).getAttribute('data-question');
      await paper.getByLabel('学员').selectOption(String(person.id));
      await paper.getByLabel('题目').selectOption(onPaper);
      await paper.getByLabel(/所选答案/).fill('A');
      await paper.getByTestId('paper-submit').tap();
      await proctor.getByTestId('paper-recorded').waitFor();
      await rows.nth(1).and(proctor.locator('[data-answered="1"]')).waitFor();
      await expectAccessible(proctor, 'the console with the practice tally');
      await shot(proctor, 'console-practice-800x1280');
      await proctor.setViewportSize({ width: 1280, height: 800 });
      await shot(proctor, 'console-practice-1280x800');
      await closeConsole(proctor);
      for (const s of seats) assert.deepEqual(s.errors, [], `${s.name}'s page threw nothing`);
    } finally {
      for (const s of seats) await s.context.close();
    }
  }, TABLET_PORTRAIT);
});

test('a lecture: the proctor marks presence at the opening and the next roll call, and the attendance credits the time between them', async (t) => {
  const [a, b] = [await paidTrainee('听课甲'), await paidTrainee('听课乙')];
  const room = await scheduleRoom('鲤城区现场听课', 'lecture', { trainee_ids: [a.id, b.id] });
  await withPage(browser, t, async (proctor) => {
    try {
      await openConsole(proctor, room.id);
      await serverClock(proctor, 0, true);
      // The opening plays the course's first lesson; the proctor puts on the second.
      const picker = proctor.getByTestId('lecture-lesson');
      await proctor.waitForFunction(() => document.querySelector('[data-testid=lecture-lesson]')?.options.length > 2);
      const choices = await picker.locator('option:not([disabled])').evaluateAll((os) => os.map((o) => o.value));
      assert.equal(await picker.inputValue(), choices[0], 'the first lesson plays at the opening');
      await atLeast44(picker, 'the lesson picker');
      await picker.selectOption(choices[1]);
      await proctor.waitForFunction(() => !document.querySelector('[data-testid=lecture-lesson]')?.disabled);
      const playing = (await (await proctor.request.get(url(`/api/group-sessions/${room.id}`))).json()).lecture.lesson_id;
      assert.equal(String(playing), choices[1], 'the server plays the lesson the proctor chose');
      assert.equal(await picker.inputValue(), choices[1]);
      const person = (p) => proctor.locator(`[data-testid=attendee][data-trainee="${p.id}"]`);
      for (const p of [a, b]) await person(p).filter({ hasText: '未标记' }).waitFor();

      // The opening roll call: 甲 present, 乙 not there yet.
      await proctor.getByTestId('console-roll-call').tap();
      await proctor.getByTestId('lecture-prompt').waitFor();
      await atLeast44(person(a).getByTestId('mark-present'), 'the 在场 button');
      await person(a).getByTestId('mark-present').tap();
      await person(a).filter({ hasText: '本次：在场' }).waitFor();
      await person(b).getByTestId('mark-absent').tap();
      await person(b).filter({ hasText: '本次：缺席' }).waitFor();
      await expectAccessible(proctor, 'the lecture console at a roll call');
      await shot(proctor, 'console-lecture-1280x800');

      // The roll call takes marks for 10 minutes; 601 s later the next one.
      await serverClock(proctor, 601, true);
      // The console learns the server's clock from its stream's pings (every 5 s).
      await proctor.waitForFunction(() => !document.querySelector('[data-testid=console-roll-call]')?.disabled, null, { timeout: 15_000 });
      await proctor.getByTestId('console-roll-call').tap();
      await person(a).getByTestId('mark-present').waitFor();
      await person(a).getByTestId('mark-present').tap();
      await person(b).getByTestId('mark-present').tap();
      await person(b).filter({ hasText: '本次：在场' }).waitFor();
      // 甲: the 601 s between the two, within the lesson's nominal duration; 乙: nothing.
      await person(a).and(proctor.locator(':not([data-secs="0"])')).waitFor();
      const expected = Number(await person(a).getAttribute('data-secs'));
      assert.ok(expected > 0 && expected <= 601, `甲 is credited at most the 601 s between the roll calls (${expected})`);
      await person(b).and(proctor.locator('[data-secs="0"]')).waitFor();
      await proctor.setViewportSize({ width: 800, height: 1280 });
      await shot(proctor, 'console-lecture-800x1280');

      // 601 s on, that roll call is over too: ending now, the console offers a last one first.
      await serverClock(proctor, 601, true);
      await proctor.waitForFunction(() => !document.querySelector('[data-testid=console-roll-call]')?.disabled, null, { timeout: 15_000 });
      await proctor.getByTestId('console-close').tap();
      await proctor.getByTestId('close-roll-call-hint').waitFor();
      await atLeast44(proctor.getByTestId('console-close-roll-call'), 'the 先点名 button');
      await expectAccessible(proctor, 'ending a lecture after its last roll call is over');
      await proctor.getByTestId('console-close-confirm').tap();
      await proctor.getByTestId('console-closed').waitFor();
      const rows = proctor.getByTestId('attendance-row');
      await rows.first().waitFor();
      const shown = Object.fromEntries(await rows.evaluateAll((rs) => rs.map((r) => [r.dataset.trainee, Number(r.dataset.secs)])));
      assert.deepEqual({ a: shown[a.id], b: shown[b.id] }, { a: expected, b: 0 }, 'present at both roll calls is credited the time between; absent at the first, nothing');
      const closed = await (await proctor.request.get(url(`/api/group-sessions/${room.id}`))).json();
      const row = closed.attendance.find((r) => r.trainee_id === a.id);
      assert.deepEqual(row.by_source, { seat: 0, lecture: expected, correction: 0 }, 'the credit is the lecture\'s');
    } finally {
      await serverClock(proctor, 0, false);
    }
  }, TABLET_LANDSCAPE);
});
