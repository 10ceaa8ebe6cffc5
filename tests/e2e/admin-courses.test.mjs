// Course management by the provincial admin, through the admin app: a new course with a
// lesson, a CSV import refused for a bad row and then accepted, cover uploads with clear
// refusals, publishing after a confirmation, and the course reaching (and, unpublished,
// leaving) a trainee's catalogue.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import {
  DEMO_GRADED_TRAINEE,
  DEMO_PASSWORD,
  TABLET_PORTRAIT,
  expectAccessible,
  launchBrowser,
  logIn,
  logInAdmin,
  url,
  withPage,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const HEADER = '题型,题目,选项A,选项B,选项C,选项D,选项E,选项F,答案,解析\n';
// Line 3 has a kind nobody knows: the whole file is refused.
const BAD_CSV = `${HEADER}单选,验电前应先做什么？,检查验电器是否完好,直接触摸导线,,,,,A,验电器要先确认完好。\n`
  + '问答,什么是接地？,,,,,,,A,无\n';
// What Excel writes as "CSV UTF-8": a BOM, CRLF, a quoted cell with a comma and a line break.
const GOOD_CSV = '\uFEFF' + `${HEADER}单选,验电前应先做什么？,检查验电器是否完好,直接触摸导线,,,,,A,验电器要先确认完好。\n`
  + '多选,"哪些是\n绝缘安全用具？",绝缘手套,绝缘靴,"铁锤, 扳手",,,,AB,铁锤导电。\n'
  + '判断,停电检修必须先验电。,,,,,,,正确,防止触电。\n';
const csvFile = (name, text) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text.replaceAll('\n', '\r\n'), 'utf8') });
// The start of an MP4 (what the server judges a video by).
const MP4 = Buffer.concat([Buffer.from('000000206674797069736f6d0000020069736f6d69736f32617663316d703431', 'hex'), Buffer.alloc(2048)]);
// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** The published catalogue as a signed-in trainee's browser gets it. */
async function catalogueTitles(page) {
  const res = await page.request.get(url('/api/courses'));
  assert.equal(res.status(), 200);
  return (await res.json()).map((c) => c.title);
}

test('the provincial admin builds a course, imports questions, publishes it and a trainee sees it', async (t) => {
  // No word the catalogue tests search for (电工, 驾驶): they count what they find, and test
  // files may share the server.
  const title = `低压配电安全（测试${randomInt(1e6)}）`;
  await withPage(browser, t, async (page) => {
    await logInAdmin(page, 'province-admin');
    await page.getByRole('navigation').getByRole('link', { name: '课程管理' }).click();
    await page.getByRole('heading', { name: '课程管理' }).waitFor();
    await page.getByRole('link', { name: '新建课程' }).click();
    await page.getByRole('button', { name: '创建课程' }).waitFor();
    await expectAccessible(page, 'the new-course form');

    // The form's own checks speak first: nothing is sent while a field is wrong.
    await page.getByRole('button', { name: '创建课程' }).click();
    await page.locator('#err-title').getByText('请填写课程名称').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'title', 'the first field at fault has the focus');
    await expectAccessible(page, 'the new-course form showing an error');
    await page.getByLabel('课程名称').fill(title);
    await page.getByLabel('电工', { exact: true }).check();
    await page.getByLabel('学时').fill('1');
    await page.getByLabel('课程简介').fill('低压电气设备的停电、验电和挂牌。');
    await page.getByRole('button', { name: '创建课程' }).click();
    await page.waitForURL(/\/admin\/courses\/\d+$/);
    await page.getByRole('heading', { name: title, level: 1 }).waitFor();
    assert.match(await page.getByTestId('publish-status').innerText(), /未发布/);

    // A lesson, with its text previewed as trainees will see it.
    await page.getByRole('button', { name: '添加课时' }).click();
    await page.getByLabel('课时名称').fill('停电与验电');
    await page.locator('#lesson_minutes').fill('45');
    await page.getByLabel('课时正文').fill('## 操作顺序\n\n1. 停电\n2. **验电**\n3. 挂牌');
    await page.locator('.admin-preview h2, .admin-preview h3').getByText('操作顺序').waitFor();
    await page.getByRole('button', { name: '保存' }).last().click();
    await page.getByTestId('lesson').filter({ hasText: '停电与验电' }).waitFor();

    // A video lesson with its file, uploaded in the form: a PNG is refused, an MP4 taken.
    await page.getByRole('button', { name: '添加课时' }).click();
    await page.getByLabel('课时名称').fill('验电演示');
    await page.getByLabel('视频', { exact: true }).check();
    await page.locator('#lesson_minutes').fill('1');
    await page.getByLabel('视频简介').fill('演示验电器的检查和使用。');
    await page.getByLabel('视频文字稿').fill('先在有电设备上试验验电器，再逐相验电。');
    const form = page.locator('form').filter({ has: page.locator('#lesson_video') });
    await page.locator('#lesson_video').setInputFiles({ name: 'clip.mp4', mimeType: 'video/mp4', buffer: PNG });
    await form.getByRole('button', { name: '上传' }).click();
    await form.getByRole('alert').filter({ hasText: 'MP4' }).waitFor();
    await page.locator('#lesson_video').setInputFiles({ name: 'clip.mp4', mimeType: 'video/mp4', buffer: MP4 });
    await form.getByRole('button', { name: '上传' }).click();
    await form.getByText('新视频已上传，保存课时后生效').waitFor();
    // A real clip's length fills the lesson's duration.
    await page.locator('#lesson_video').setInputFiles(new URL('../../public/media/public-safety-3.mp4', import.meta.url).pathname);
    await form.getByRole('button', { name: '上传' }).click();
    await form.getByText('视频长 0 分 46 秒，已填入课时时长。').waitFor();
    assert.equal(await page.locator('#lesson_minutes').inputValue(), '0');
    assert.equal(await page.locator('#lesson_seconds').inputValue(), '46');
    await form.getByRole('button', { name: '保存' }).click();
    await page.getByTestId('lesson').filter({ hasText: '验电演示' }).getByRole('link', { name: '视频文件' }).waitFor();

    // Publishing an incomplete course is refused with what is missing.
    await page.getByRole('button', { name: '发布课程' }).click();
    await page.getByRole('button', { name: '确定发布' }).click();
    await page.getByRole('alert').filter({ hasText: '还没有练习题' }).waitFor();

    // A CSV with a bad row: nothing imported, the row named with its line and reason.
    await page.locator('#csv-file').setInputFiles(csvFile('bad.csv', BAD_CSV));
    await page.getByRole('button', { name: '导入', exact: true }).click();
    const errors = page.getByTestId('import-errors');
    await errors.waitFor();
    assert.match(await errors.innerText(), /第 3 行[\s\S]*问答/);
    await expectAccessible(page, 'the course editor with a refused CSV and the CSV sample');
    assert.equal(await page.getByTestId('question').count(), 0);

    // The corrected file goes in whole.
    await page.locator('#csv-file').setInputFiles(csvFile('good.csv', GOOD_CSV));
    await page.getByRole('button', { name: '导入', exact: true }).click();
    await page.getByText('已导入 3 道练习题。').waitFor();
    assert.equal(await page.getByTestId('question').count(), 3);
    assert.equal(await errors.count(), 0);

    // Covers: too large is refused before sending, SVG by the server, a PNG is taken.
    const coverInput = page.locator('#cover-file');
    await coverInput.setInputFiles({ name: 'big.png', mimeType: 'image/png', buffer: Buffer.alloc(3 * 1024 * 1024, 1) });
    await page.getByRole('button', { name: '上传' }).first().click();
    await page.getByText('封面图片不能超过 2 MB').waitFor();
    await coverInput.setInputFiles({ name: 'x.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') });
    await page.getByRole('button', { name: '上传' }).first().click();
    await page.getByRole('alert').filter({ hasText: 'SVG' }).waitFor();
    await coverInput.setInputFiles({ name: 'cover.png', mimeType: 'image/png', buffer: PNG });
    await page.getByRole('button', { name: '上传' }).first().click();
    await page.getByText('上传成功。').waitFor();
    assert.match(await page.locator('.admin-cover').getAttribute('src'), /^\/uploads\/covers\/[0-9a-f]+\.png$/);

    // Published after the confirmation.
    await page.getByRole('button', { name: '发布课程' }).click();
    await page.getByRole('button', { name: '确定发布' }).click();
    await page.getByTestId('publish-status').getByText('已发布').waitFor();

    await withPage(browser, t, async (trainee) => {
      await logIn(trainee, DEMO_GRADED_TRAINEE, DEMO_PASSWORD);
      assert.ok((await catalogueTitles(trainee)).includes(title), 'the trainee sees the published course');

      // Unpublished (after a warning that says credit is kept), it leaves the catalogue.
      await page.getByRole('button', { name: '下架课程' }).click();
      await page.getByText('已经选了本课程的学员仍保留已获得的学时').waitFor();
      // The confirmation takes the focus, so the keyboard answers it.
      await page.waitForFunction(() => document.activeElement?.id === 'publish-confirm');
      await page.keyboard.press('Enter');
      await page.getByTestId('publish-status').getByText('未发布').waitFor();
      assert.ok(!(await catalogueTitles(trainee)).includes(title), 'the unpublished course is gone');
    });

    // The list shows it, unpublished, with its lesson and questions.
    await page.getByRole('link', { name: '返回课程列表' }).click();
    const row = page.getByTestId('course-row').filter({ hasText: title });
    await row.waitFor();
    assert.match(await row.innerText(), /2 课时，3 道题[\s\S]*未发布/);
    await expectAccessible(page, "the province's course list");
  });
});

test('the course editor fits a tablet in portrait', async (t) => {
  await withPage(browser, t, async (page) => {
    await logInAdmin(page, 'province-admin');
    await page.goto(url('/admin/courses'));
    await page.getByTestId('course-row').first().getByRole('link').click();
    await page.getByRole('heading', { name: '练习题', exact: true }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px too wide)`);
    await expectAccessible(page, 'the course editor in tablet portrait');
  }, TABLET_PORTRAIT);
});

test('other administrators are not offered course management', async (t) => {
  await withPage(browser, t, async (page) => {
    await logInAdmin(page, 'quanzhou-admin');
    assert.equal(await page.getByRole('link', { name: '课程管理' }).count(), 0);
    await page.goto(url('/admin/courses'));
    await page.getByRole('alert').filter({ hasText: '您没有权限进行此操作' }).waitFor();
  });
});
