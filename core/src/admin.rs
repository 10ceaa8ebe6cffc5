//! Course management by the provincial admin (省工考办): the wire types of
//! `/api/admin/courses…` and the rules a course, lesson or question must meet, shared so that
//! the admin pages check what the server checks.

use crate::account::TRADES;
use crate::api::FieldError;
use crate::catalogue::{CourseCategory, QuestionKind, TRUE_FALSE_OPTIONS};
use crate::error_code::ErrorCode;
use crate::ledger::LessonKind;
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Longest course or lesson title, in characters.
pub const MAX_TITLE_CHARS: usize = 60;
/// Longest course description.
pub const MAX_DESCRIPTION_CHARS: usize = 500;
/// Longest lesson body or transcript.
pub const MAX_BODY_CHARS: usize = 20_000;
/// A lesson's nominal duration may not exceed a day's study cap (8 hours).
pub const MAX_LESSON_SECS: i64 = 8 * 3600;
/// 学时 a single course may plan for.
pub const MAX_COURSE_HOURS: u32 = 42;
/// Longest question stem, option or explanation.
pub const MAX_STEM_CHARS: usize = 500;
pub const MAX_OPTION_CHARS: usize = 200;
pub const MAX_EXPLANATION_CHARS: usize = 1000;
/// Options A–F.
pub const MAX_OPTIONS: usize = 6;

/// A course in the admin's list, published or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AdminCourseSummary {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub category: CourseCategory,
    pub trades: Vec<String>,
    pub hours: u32,
    /// In the catalogue; an unpublished course can be neither found nor newly selected.
    pub published: bool,
    pub lessons: u32,
    pub questions: u32,
    /// Trainees who have the course in a plan, any year.
    pub selected_by: i64,
}

/// A course with everything the editor shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AdminCourse {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub category: CourseCategory,
    pub trades: Vec<String>,
    pub hours: u32,
    pub description: String,
    /// URL of the cover image.
    pub cover: String,
    pub published: bool,
    pub selected_by: i64,
    pub lessons: Vec<AdminLesson>,
    pub questions: Vec<AdminQuestion>,
}

/// A lesson as the editor sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AdminLesson {
    pub id: i64,
    pub title: String,
    pub kind: LessonKind,
    pub duration_secs: i64,
    pub body: String,
    /// Video lessons: the uploaded video's URL, once there is one.
    pub video: Option<String>,
    pub transcript: Option<String>,
    /// Trainees who have studied it: a studied lesson cannot be deleted.
    pub studied_by: i64,
}

/// A question with its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AdminQuestion {
    pub id: i64,
    pub kind: QuestionKind,
    pub stem: String,
    /// Empty for true/false questions, whose options are always 正确 and 错误.
    pub options: Vec<String>,
    /// 0-based indexes of the right options, ascending.
    pub answer: Vec<usize>,
    pub explanation: String,
    /// Answers given to it in practice: an answered question cannot be deleted.
    pub answered: i64,
}

/// `POST /api/admin/courses`, `PUT /api/admin/courses/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CourseInput {
    pub title: String,
    pub category: CourseCategory,
    /// Trades (工种) of a trade course, from the list of trades; empty for a public course.
    pub trades: Vec<String>,
    pub hours: u32,
    pub description: String,
}

/// `POST /api/admin/courses/{id}/lessons`, `PUT …/lessons/{lesson}`. A video lesson's file is
/// uploaded first (`POST /api/admin/uploads/videos`) and named here, so that a video lesson can
/// join a published course complete; or it is uploaded later (`PUT …/lessons/{lesson}/video`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LessonInput {
    pub title: String,
    pub kind: LessonKind,
    /// Nominal study time: the lesson never earns more.
    pub duration_secs: i64,
    /// Text lessons: the lesson, in the player's Markdown subset; video lessons: a summary.
    pub body: String,
    /// Video lessons: what is said, for those who cannot hear it.
    #[serde(default)]
    pub transcript: Option<String>,
    /// Video lessons: the URL an upload answered (`/uploads/videos/…`); absent keeps the
    /// lesson's video as it is.
    #[serde(default)]
    pub video: Option<String>,
}

/// Where uploaded lesson videos are served.
pub const VIDEO_URL_PREFIX: &str = "/uploads/videos/";

/// Whether `url` is one the server gives an uploaded video: its folder, a hex content hash and
/// `.mp4` or `.webm`.
pub fn is_upload_video_url(url: &str) -> bool {
    url.strip_prefix(VIDEO_URL_PREFIX)
        .and_then(|name| name.split_once('.'))
        .is_some_and(|(hash, ext)| {
            !hash.is_empty()
                && hash
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
                && matches!(ext, "mp4" | "webm")
        })
}

/// `POST /api/admin/uploads/videos`: where an uploaded video is served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Uploaded {
    pub url: String,
    /// The clip's length in whole seconds, when the server can read it (MP4): what the lesson's
    /// nominal duration should be.
    pub duration_secs: Option<i64>,
}

/// `POST /api/admin/courses/{id}/questions`, `PUT …/questions/{question}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct QuestionInput {
    pub kind: QuestionKind,
    pub stem: String,
    /// 2–6 options; none for true/false.
    #[serde(default)]
    pub options: Vec<String>,
    /// 0-based indexes of the right options (true/false: 0 正确, 1 错误).
    pub answer: Vec<usize>,
    pub explanation: String,
}

/// `PUT /api/admin/courses/{id}/lesson-order` and `…/question-order`: every id of the
/// course's lessons (or questions), each once, in the new order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Reorder {
    pub ids: Vec<i64>,
}

/// The answer to a successful CSV import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ImportReport {
    pub imported: u32,
    pub course: AdminCourse,
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn invalid(field: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(field, ErrorCode::ValidationFailed, message)
}

/// Checks a required text: not blank, at most `max` characters.
fn text(errors: &mut Vec<FieldError>, field: &str, label: &str, value: &str, max: usize) {
    if value.trim().is_empty() {
        errors.push(invalid(field, format!("请填写{label}")));
    } else if chars(value) > max {
        errors.push(invalid(field, format!("{label}不能超过 {max} 个字")));
    }
}

impl CourseInput {
    /// Every field at fault, in form order.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        text(
            &mut errors,
            "title",
            "课程名称",
            &self.title,
            MAX_TITLE_CHARS,
        );
        match self.category {
            CourseCategory::Public if !self.trades.is_empty() => errors.push(FieldError::new(
                "trades",
                ErrorCode::InvalidTrade,
                "公共知识课程不分工种，请不要选择工种",
            )),
            CourseCategory::Trade if self.trades.is_empty() => errors.push(FieldError::new(
                "trades",
                ErrorCode::InvalidTrade,
                "专业理论课程请至少选择一个工种",
            )),
            _ => {}
        }
        if let Some(t) = self.trades.iter().find(|t| !TRADES.contains(&t.as_str())) {
            errors.push(FieldError::new(
                "trades",
                ErrorCode::InvalidTrade,
                format!("没有“{t}”这个工种"),
            ));
        }
        if !(1..=MAX_COURSE_HOURS).contains(&self.hours) {
            errors.push(FieldError::new(
                "hours",
                ErrorCode::OutOfRange,
                format!("学时应为 1 到 {MAX_COURSE_HOURS} 之间的整数"),
            ));
        }
        text(
            &mut errors,
            "description",
            "课程简介",
            &self.description,
            MAX_DESCRIPTION_CHARS,
        );
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

impl LessonInput {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        text(
            &mut errors,
            "title",
            "课时名称",
            &self.title,
            MAX_TITLE_CHARS,
        );
        if !(1..=MAX_LESSON_SECS).contains(&self.duration_secs) {
            errors.push(FieldError::new(
                "duration_secs",
                ErrorCode::OutOfRange,
                "课时时长应在 1 秒到 8 小时之间",
            ));
        }
        let label = match self.kind {
            LessonKind::Text => "课时正文",
            LessonKind::Video => "视频简介",
            // The practice lesson is made from the course's questions
            // (storage::catalogue::sync_practice_lesson), never written by hand.
            LessonKind::Practice => {
                errors.push(invalid("kind", "练习课时由题目自动生成，不能手工添加"));
                "课时正文"
            }
        };
        text(&mut errors, "body", label, &self.body, MAX_BODY_CHARS);
        match (&self.video, self.kind) {
            (Some(url), LessonKind::Video) if !is_upload_video_url(url) => {
                errors.push(invalid("video", "视频地址无效，请重新上传视频"));
            }
            (Some(_), LessonKind::Text | LessonKind::Practice) => {
                errors.push(invalid("video", "只有视频课时可以有视频"));
            }
            _ => {}
        }
        if let Some(t) = &self.transcript {
            if chars(t) > MAX_BODY_CHARS {
                errors.push(invalid(
                    "transcript",
                    format!("文字稿不能超过 {MAX_BODY_CHARS} 个字"),
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

impl QuestionInput {
    /// The number of options the answer indexes into (2 for true/false).
    pub fn option_count(&self) -> usize {
        match self.kind {
            QuestionKind::TrueFalse => TRUE_FALSE_OPTIONS.len(),
            _ => self.options.len(),
        }
    }

    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        text(&mut errors, "stem", "题目", &self.stem, MAX_STEM_CHARS);
        match self.kind {
            QuestionKind::TrueFalse if !self.options.is_empty() => {
                errors.push(invalid("options", "判断题不需要填写选项"));
            }
            QuestionKind::TrueFalse => {}
            QuestionKind::Single | QuestionKind::Multiple => {
                let min = if self.kind == QuestionKind::Multiple {
                    3
                } else {
                    2
                };
                if !(min..=MAX_OPTIONS).contains(&self.options.len()) {
                    errors.push(invalid(
                        "options",
                        format!(
                            "{}应有 {min} 到 {MAX_OPTIONS} 个选项",
                            kind_label(self.kind)
                        ),
                    ));
                }
                if self.options.iter().any(|o| o.trim().is_empty()) {
                    errors.push(invalid("options", "选项不能为空"));
                } else if self.options.iter().any(|o| chars(o) > MAX_OPTION_CHARS) {
                    errors.push(invalid(
                        "options",
                        format!("每个选项不能超过 {MAX_OPTION_CHARS} 个字"),
                    ));
                }
            }
        }
        let n = self.option_count();
        let ascending = self.answer.windows(2).all(|w| w[0] < w[1]);
        let answer_ok = ascending
            && self.answer.iter().all(|a| *a < n)
            && match self.kind {
                QuestionKind::Single | QuestionKind::TrueFalse => self.answer.len() == 1,
                QuestionKind::Multiple => self.answer.len() >= 2,
            };
        if !answer_ok {
            let message = match self.kind {
                QuestionKind::Single => "单选题应有且只有一个正确答案，且是已有的选项",
                QuestionKind::Multiple => "多选题应有两个或以上正确答案，且都是已有的选项",
                QuestionKind::TrueFalse => "判断题的答案应为“正确”或“错误”",
            };
            errors.push(invalid("answer", message));
        }
        text(
            &mut errors,
            "explanation",
            "答案解析",
            &self.explanation,
            MAX_EXPLANATION_CHARS,
        );
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// 单选题, 多选题, 判断题.
pub fn kind_label(kind: QuestionKind) -> &'static str {
    match kind {
        QuestionKind::Single => "单选题",
        QuestionKind::Multiple => "多选题",
        QuestionKind::TrueFalse => "判断题",
    }
}

/// A size for people: `2 MB`, `1.5 MB`, `64 KB`.
pub fn human_size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else if bytes >= MB {
        format!("{}.{} MB", bytes / MB, (bytes % MB) * 10 / MB)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// The option letter of a 0-based index: A, B, …
pub fn option_letter(index: usize) -> char {
    char::from(b'A' + u8::try_from(index % 26).unwrap_or(0))
}

/// Why a course cannot be in the catalogue yet; empty when it can. Checked when it is
/// published and on every change while it is: a course in the catalogue always has lessons
/// enough for its 学时, every video lesson has its video, and it has practice questions.
pub fn publish_problems(course: &AdminCourse, minutes_per_hour: u32) -> Vec<String> {
    let mut problems = Vec::new();
    if course.lessons.is_empty() {
        problems.push("课程还没有课时".to_owned());
    }
    let total: i64 = course.lessons.iter().map(|l| l.duration_secs).sum();
    let needed = i64::from(course.hours) * i64::from(minutes_per_hour) * 60;
    if !course.lessons.is_empty() && total < needed {
        problems.push(format!(
            "课时总时长 {} 分钟，不足 {} 学时（{} 分钟）",
            total / 60,
            course.hours,
            needed / 60
        ));
    }
    for l in &course.lessons {
        if l.kind == LessonKind::Video && l.video.is_none() {
            problems.push(format!("视频课时“{}”还没有上传视频", l.title));
        }
    }
    if course.questions.is_empty() {
        problems.push("课程还没有练习题".to_owned());
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(kind: QuestionKind, options: &[&str], answer: &[usize]) -> QuestionInput {
        QuestionInput {
            kind,
            stem: "题目".into(),
            options: options.iter().map(|s| (*s).to_owned()).collect(),
            answer: answer.to_vec(),
            explanation: "解析".into(),
        }
    }

    fn fields(r: Result<(), Vec<FieldError>>) -> Vec<String> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn questions_fit_their_kind() {
        use QuestionKind::*;
        assert!(question(Single, &["a", "b"], &[1]).validate().is_ok());
        assert!(question(Multiple, &["a", "b", "c"], &[0, 2])
            .validate()
            .is_ok());
        assert!(question(TrueFalse, &[], &[1]).validate().is_ok());
        assert_eq!(
            fields(question(Single, &["a", "b"], &[0, 1]).validate()),
            ["answer"]
        );
        assert_eq!(
            fields(question(Single, &["a", "b"], &[2]).validate()),
            ["answer"]
        );
        assert_eq!(
            fields(question(Multiple, &["a", "b", "c"], &[2, 0]).validate()),
            ["answer"]
        );
        assert_eq!(
            fields(question(Multiple, &["a", "b"], &[0, 1]).validate()),
            ["options"]
        );
        assert_eq!(
            fields(question(TrueFalse, &["x"], &[0]).validate()),
            ["options"]
        );
        assert_eq!(
            fields(question(Single, &["a", " "], &[0]).validate()),
            ["options"]
        );
        let mut blank = question(TrueFalse, &[], &[2]);
        blank.stem = " ".into();
        blank.explanation = String::new();
        assert_eq!(fields(blank.validate()), ["stem", "answer", "explanation"]);
    }

    #[test]
    fn a_course_names_trades_only_when_it_is_a_trade_course() {
        let mut c = CourseInput {
            title: "电工安全".into(),
            category: CourseCategory::Trade,
            trades: vec!["电工".into()],
            hours: 6,
            description: "简介".into(),
        };
        assert!(c.validate().is_ok());
        c.trades = vec!["宇航员".into()];
        assert_eq!(fields(c.validate()), ["trades"]);
        c.trades.clear();
        assert_eq!(fields(c.validate()), ["trades"]);
        c.category = CourseCategory::Public;
        c.hours = 0;
        assert_eq!(fields(c.validate()), ["hours"]);
    }

    #[test]
    fn a_course_is_published_only_when_complete() {
        let mut c = AdminCourse {
            id: 1,
            code: "c".into(),
            title: "课程".into(),
            category: CourseCategory::Public,
            trades: vec![],
            hours: 1,
            description: "简介".into(),
            cover: String::new(),
            published: false,
            selected_by: 0,
            lessons: vec![],
            questions: vec![],
        };
        assert_eq!(publish_problems(&c, 45).len(), 2);
        c.lessons.push(AdminLesson {
            id: 1,
            title: "视频".into(),
            kind: LessonKind::Video,
            duration_secs: 2699,
            body: "简介".into(),
            video: None,
            transcript: None,
            studied_by: 0,
        });
        c.questions.push(AdminQuestion {
            id: 1,
            kind: QuestionKind::TrueFalse,
            stem: "题".into(),
            options: vec![],
            answer: vec![0],
            explanation: "因为".into(),
            answered: 0,
        });
        let problems = publish_problems(&c, 45);
        assert!(problems[0].contains("不足 1 学时"), "{problems:?}");
        assert!(problems[1].contains("还没有上传视频"), "{problems:?}");
        c.lessons[0].duration_secs = 2700;
        c.lessons[0].video = Some("/uploads/videos/x.mp4".into());
        assert!(publish_problems(&c, 45).is_empty());
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_size(2 * 1024 * 1024), "2 MB");
        assert_eq!(human_size(1024 * 1024 * 3 / 2), "1.5 MB");
        assert_eq!(human_size(64 * 1024), "64 KB");
        assert_eq!(human_size(1000), "1 KB");
    }

    #[test]
    fn only_upload_urls_name_a_lesson_video() {
        assert!(is_upload_video_url("/uploads/videos/0a1b2c.mp4"));
        assert!(is_upload_video_url("/uploads/videos/ff.webm"));
        for bad in [
            "/uploads/videos/.mp4",
            "/uploads/videos/0A.mp4",
            "/uploads/videos/../x.mp4",
            "/uploads/covers/ab.png",
            "https://example.com/ab.mp4",
            "/uploads/videos/ab.mov",
        ] {
            assert!(!is_upload_video_url(bad), "{bad}");
        }
    }

    #[test]
    fn option_letters_start_at_a() {
        assert_eq!(option_letter(0), 'A');
        assert_eq!(option_letter(5), 'F');
    }
}
