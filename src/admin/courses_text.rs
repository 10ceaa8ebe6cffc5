//! Strings of the course-management pages (admin bundle only).

pub const NAV: &str = "课程管理";
pub const SUMMARY: &str =
    "新建和修改课程、课时和练习题，上传封面和视频，导入题库，发布或下架课程。";
pub const LIST_TITLE: &str = "课程管理";
pub const NEW_COURSE: &str = "新建课程";
pub const NO_COURSES: &str = "还没有课程。";
pub const COL_TITLE: &str = "课程名称";
pub const COL_CATEGORY: &str = "类别";
pub const COL_HOURS: &str = "学时";
pub const COL_CONTENT: &str = "内容";
pub const COL_SELECTED: &str = "已选人数";
pub const COL_STATUS: &str = "状态";
pub const PUBLISHED: &str = "已发布";
pub const UNPUBLISHED: &str = "未发布";
pub const EDIT: &str = "编辑";
pub const BACK_TO_LIST: &str = "返回课程列表";

pub const INFO_TITLE: &str = "课程信息";
pub const FIELD_TITLE: &str = "课程名称";
pub const FIELD_CATEGORY: &str = "课程类别";
pub const CATEGORY_PUBLIC: &str = "公共知识";
pub const CATEGORY_TRADE: &str = "专业理论（按工种）";
pub const FIELD_TRADES: &str = "适用工种";
pub const TRADES_HINT: &str = "专业理论课程请勾选适用的工种，可多选。";
pub const FIELD_HOURS: &str = "学时";
pub const HOURS_HINT: &str = "1 学时 = 45 分钟。课时总时长不能少于学时。";
pub const FIELD_DESCRIPTION: &str = "课程简介";
pub const DESCRIPTION_HINT: &str = "两三句话，说明课程讲什么、适合谁。";
pub const CREATE: &str = "创建课程";
pub const SAVE: &str = "保存";
pub const SAVED: &str = "已保存。";
pub const CANCEL: &str = "取消";
pub const SAVING: &str = "正在保存……";

pub const STATUS_TITLE: &str = "发布状态";
pub const IS_PUBLISHED: &str = "本课程已发布，学员可以在课程目录中看到并选课。";
pub const IS_UNPUBLISHED: &str = "本课程未发布，学员在课程目录中看不到，也不能选课。";
pub const PUBLISH: &str = "发布课程";
pub const UNPUBLISH: &str = "下架课程";
pub const CONFIRM_PUBLISH: &str = "发布后，学员就能在课程目录中看到并选择本课程。确定发布吗？";
pub const CONFIRM_UNPUBLISH: &str = "下架后，本课程将从课程目录中消失，不能再被选择。已经选了本课程的学员仍保留已获得的学时，并可以继续学完。确定下架吗？";
pub const CONFIRM_PUBLISH_BUTTON: &str = "确定发布";
pub const CONFIRM_UNPUBLISH_BUTTON: &str = "确定下架";
pub fn selected_by(n: i64) -> String {
    format!("已有 {n} 名学员选择了本课程。")
}

pub const COVER_TITLE: &str = "封面图片";
pub const COVER_ALT: &str = "当前封面";
pub const COVER_HINT: &str = "PNG、JPEG 或 WebP 图片，建议 640×360 像素。不接受 SVG。";
pub const VIDEO_HINT: &str = "MP4 或 WebM 视频。";
pub const CHOOSE_FILE: &str = "选择文件";
pub const UPLOAD: &str = "上传";
pub const UPLOADING: &str = "正在上传，请不要关闭页面……";
pub const UPLOADED: &str = "上传成功。";
pub const NO_FILE: &str = "请先选择文件。";
pub fn file_too_large(what: &str, limit: &str) -> String {
    format!("{what}不能超过 {limit}，请换一个较小的文件。")
}

pub const LESSONS_TITLE: &str = "课时";
pub const NO_LESSONS: &str = "还没有课时。";
pub const ADD_LESSON: &str = "添加课时";
pub const EDIT_LESSON: &str = "修改课时";
pub const FIELD_LESSON_TITLE: &str = "课时名称";
pub const FIELD_KIND: &str = "课时类型";
pub const KIND_TEXT: &str = "图文";
pub const KIND_VIDEO: &str = "视频";
pub const KIND_PRACTICE: &str = "课后练习（由练习题自动生成）";
pub const FIELD_MINUTES: &str = "时长：分钟";
pub const FIELD_SECONDS: &str = "秒";
pub const DURATION_HINT: &str = "学员学习本课时最多可获得的时间。";
pub const FIELD_BODY: &str = "课时正文";
pub const FIELD_SUMMARY: &str = "视频简介";
pub const BODY_HINT: &str = "空一行分段；“## ”开头为小标题；“- ”开头为列表；“1. ”开头为编号列表；用 **两个星号** 把文字加粗。";
pub const FIELD_TRANSCRIPT: &str = "视频文字稿";
pub const TRANSCRIPT_HINT: &str = "视频里说的话，方便听不清的学员阅读。";
pub const PREVIEW: &str = "预览（学员看到的样子）";
pub const VIDEO_MISSING: &str = "还没有上传视频";
pub const VIDEO_READY: &str = "新视频已上传，保存课时后生效";
pub fn clip_length(secs: i64) -> String {
    format!("视频长 {}，已填入课时时长。", minutes(secs))
}
pub const VIDEO_FILE: &str = "视频文件";
pub fn studied_by(n: i64) -> String {
    format!("{n} 人学过")
}
pub const MOVE_UP: &str = "上移";
pub const MOVE_DOWN: &str = "下移";
pub const DELETE: &str = "删除";
pub const CONFIRM_DELETE: &str = "确定删除";
pub fn confirm_delete(what: &str) -> String {
    format!("确定删除“{what}”吗？删除后不能恢复。")
}
pub fn minutes(secs: i64) -> String {
    if secs % 60 == 0 {
        format!("{} 分钟", secs / 60)
    } else {
        format!("{} 分 {} 秒", secs / 60, secs % 60)
    }
}

pub const QUESTIONS_TITLE: &str = "练习题";
pub const NO_QUESTIONS: &str = "还没有练习题。";
pub const ADD_QUESTION: &str = "添加练习题";
pub const EDIT_QUESTION: &str = "修改练习题";
pub const FIELD_QUESTION_KIND: &str = "题型";
pub const FIELD_STEM: &str = "题目";
pub const FIELD_OPTIONS: &str = "选项";
pub const OPTIONS_HINT: &str = "按顺序填写，不用的选项留空。单选题至少 2 个，多选题至少 3 个。";
pub const FIELD_ANSWER: &str = "正确答案";
pub const ANSWER_HINT_SINGLE: &str = "选一个正确选项。";
pub const ANSWER_HINT_MULTIPLE: &str = "勾选所有正确选项（至少两个）。";
pub const FIELD_EXPLANATION: &str = "答案解析";
pub const EXPLANATION_HINT: &str = "说明为什么，学员答题后会看到。";
pub const TRUE: &str = "正确";
pub const FALSE: &str = "错误";
pub fn answered(n: i64) -> String {
    format!("已被作答 {n} 次")
}
pub fn answer_is(letters: &str) -> String {
    format!("答案：{letters}")
}

pub const IMPORT_TITLE: &str = "从 CSV 文件导入练习题";
pub const IMPORT_HELP: &str = "在 Excel 中按下面的列填写，每行一道题，然后“另存为”CSV 文件（选“CSV UTF-8（逗号分隔）”或“CSV（逗号分隔）”均可）。文件中只要有一行有错，就不会导入任何题目，请按提示改好后重新导入。";
pub const IMPORT_COLUMNS: &str = "题型,题目,选项A,选项B,选项C,选项D,选项E,选项F,答案,解析";
/// Names the scrollable example for screen readers: it is a keyboard stop (tabindex 0) so that
/// a keyboard user can scroll its long lines sideways with the arrow keys.
pub const IMPORT_EXAMPLE_LABEL: &str = "CSV 文件示例（可左右滚动）";
pub const IMPORT_EXAMPLE: &str = "单选,灭火器压力表指针在哪个区域表示正常？,红色区域,绿色区域,黄色区域,,,,B,绿色区域表示压力正常。\n多选,哪些属于个人防护用品？,安全帽,绝缘手套,手机,护目镜,,,ABD,手机不是防护用品。\n判断,发现火情应立即拨打 119。,,,,,,,正确,先报警再处置。";
pub const IMPORT_RULES: &str =
    "题型填“单选”“多选”或“判断”；答案填选项字母（如 B、ABD），判断题填“正确”或“错误”。";
pub const IMPORT: &str = "导入";
pub const IMPORTING: &str = "正在导入……";
pub fn imported(n: u32) -> String {
    format!("已导入 {n} 道练习题。")
}
pub const ROW_ERRORS_CAPTION: &str = "有错误的行（未导入任何题目）";
pub const COL_LINE: &str = "行号";
pub const COL_PROBLEM: &str = "问题";
pub fn line(n: u64) -> String {
    format!("第 {n} 行")
}
