//! Courses, their lessons, trades and practice questions.

use super::{course_admin, stored_enum};
use crate::content::CourseFile;
use qinxue_core::catalogue::CourseCategory;
use qinxue_core::ledger::LessonKind;
use qinxue_core::practice::practice_duration_secs;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

/// Stores a course file with its lessons and questions, published; returns the course id.
/// Through the course-management statements, so that a seeded course is stored exactly as one
/// the provincial admin builds.
pub async fn insert_course(
    conn: &mut AnyConnection,
    c: &CourseFile,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let id = course_admin::insert_course(conn, &c.code, &c.input(), &c.cover, now).await?;
    for lesson in &c.lessons {
        course_admin::insert_lesson(conn, id, &lesson.input()).await?;
    }
    for question in &c.questions {
        course_admin::insert_question(conn, id, &question.input()).await?;
    }
    course_admin::questions_changed(conn, id).await?;
    course_admin::set_published(conn, id, true).await?;
    Ok(id)
}

/// The title of every course's practice lesson.
pub const PRACTICE_TITLE: &str = "课后练习";

/// Gives a course with questions its practice lesson (`LessonKind::Practice`, after its other
/// lessons), or brings the lesson's length in line with the number of questions. Practising
/// in a study session on that lesson is what credits practice time, by the ledger's rules for
/// reading; migration 0008 did the same for courses stored before. Call after changing a
/// course's questions.
pub async fn sync_practice_lesson(
    conn: &mut AnyConnection,
    course_id: i64,
) -> Result<(), sqlx::Error> {
    let questions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM questions WHERE course_id = $1")
        .bind(course_id)
        .fetch_one(&mut *conn)
        .await?;
    let duration = practice_duration_secs(usize::try_from(questions).unwrap_or_default());
    let updated =
        sqlx::query("UPDATE lessons SET duration_secs = $1 WHERE course_id = $2 AND kind = $3")
            .bind(duration)
            .bind(course_id)
            .bind(LessonKind::Practice.as_str())
            .execute(&mut *conn)
            .await?;
    if updated.rows_affected() == 0 && questions > 0 {
        sqlx::query(
            "INSERT INTO lessons (course_id, position, title, kind, duration_secs, body) \
             SELECT $1, COALESCE(MAX(position), 0) + 1, $2, $3, $4, '' FROM lessons WHERE course_id = $1",
        )
        .bind(course_id)
        .bind(PRACTICE_TITLE)
        .bind(LessonKind::Practice.as_str())
        .bind(duration)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A stored course with its trades and lessons in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub category: CourseCategory,
    pub trades: Vec<String>,
    pub hours: u32,
    pub description: String,
    pub cover: String,
    pub lessons: Vec<LessonEntry>,
}

/// A lesson as its course lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonEntry {
    pub id: i64,
    pub title: String,
    pub kind: LessonKind,
    pub duration_secs: i64,
}

/// Published courses with their trades and lessons, public courses first.
pub async fn list_published(conn: &mut AnyConnection) -> Result<Vec<CourseRow>, sqlx::Error> {
    list(conn, true).await
}

/// Every course, withdrawn ones too (a plan keeps a course withdrawn after it was chosen).
pub async fn list_all(conn: &mut AnyConnection) -> Result<Vec<CourseRow>, sqlx::Error> {
    list(conn, false).await
}

async fn list(
    conn: &mut AnyConnection,
    only_published: bool,
) -> Result<Vec<CourseRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, code, title, category, hours, description, cover FROM courses \
         WHERE published = 1 OR $1 = 0 ORDER BY category, id",
    )
    .bind(i64::from(only_published))
    .fetch_all(&mut *conn)
    .await?;
    let mut trades: HashMap<i64, Vec<String>> = HashMap::new();
    for r in sqlx::query("SELECT course_id, trade FROM course_trades ORDER BY trade")
        .fetch_all(&mut *conn)
        .await?
    {
        trades
            .entry(r.try_get("course_id")?)
            .or_default()
            .push(r.try_get("trade")?);
    }
    let mut lessons: HashMap<i64, Vec<LessonEntry>> = HashMap::new();
    for r in sqlx::query("SELECT id, course_id, title, kind, duration_secs FROM lessons ORDER BY course_id, position")
        .fetch_all(&mut *conn)
        .await?
    {
        lessons.entry(r.try_get("course_id")?).or_default().push(LessonEntry {
            id: r.try_get("id")?,
            title: r.try_get("title")?,
            kind: stored_enum(&r.try_get::<String, _>("kind")?, LessonKind::from_wire)?,
            duration_secs: r.try_get("duration_secs")?,
        });
    }
    rows.iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            Ok(CourseRow {
                id,
                code: r.try_get("code")?,
                title: r.try_get("title")?,
                category: stored_enum(
                    &r.try_get::<String, _>("category")?,
                    CourseCategory::from_wire,
                )?,
                trades: trades.remove(&id).unwrap_or_default(),
                hours: hours(r)?,
                description: r.try_get("description")?,
                cover: r.try_get("cover")?,
                lessons: lessons.remove(&id).unwrap_or_default(),
            })
        })
        .collect()
}

fn hours(r: &AnyRow) -> Result<u32, sqlx::Error> {
    u32::try_from(r.try_get::<i64, _>("hours")?).map_err(|e| sqlx::Error::Decode(e.into()))
}

/// A lesson's content, whether or not its course is still published (credited time stays
/// reachable after a course is withdrawn).
#[derive(Debug, Clone)]
pub struct LessonRow {
    pub id: i64,
    pub course_id: i64,
    pub course_title: String,
    pub title: String,
    pub kind: LessonKind,
    pub duration_secs: i64,
    pub body: String,
    pub video: Option<String>,
    pub transcript: Option<String>,
    pub published: bool,
}

pub async fn lesson(conn: &mut AnyConnection, id: i64) -> Result<Option<LessonRow>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT l.id, l.course_id, c.title AS course_title, l.title, l.kind, l.duration_secs, l.body, \
         l.video, l.transcript, c.published FROM lessons l JOIN courses c ON c.id = l.course_id WHERE l.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(LessonRow {
            id: r.try_get("id")?,
            course_id: r.try_get("course_id")?,
            course_title: r.try_get("course_title")?,
            title: r.try_get("title")?,
            kind: stored_enum(&r.try_get::<String, _>("kind")?, LessonKind::from_wire)?,
            duration_secs: r.try_get("duration_secs")?,
            body: r.try_get("body")?,
            video: r.try_get("video")?,
            transcript: r.try_get("transcript")?,
            published: r.try_get::<i64, _>("published")? == 1,
        })
    })
    .transpose()
}

/// Adds a course to a trainee's plan for a year; tells whether it was not there yet.
pub async fn select(
    conn: &mut AnyConnection,
    user_id: i64,
    year: i32,
    course_id: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO selections (user_id, year, course_id, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, year, course_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(i64::from(year))
    .bind(course_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The courses in a trainee's plan for a year.
pub async fn selected(
    conn: &mut AnyConnection,
    user_id: i64,
    year: i32,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT course_id FROM selections WHERE user_id = $1 AND year = $2 ORDER BY created_at, course_id")
        .bind(user_id)
        .bind(i64::from(year))
        .fetch_all(conn)
        .await
}

/// Whether the course is in the trainee's plan for the year.
pub async fn is_selected(
    conn: &mut AnyConnection,
    user_id: i64,
    year: i32,
    course_id: i64,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM selections WHERE user_id = $1 AND year = $2 AND course_id = $3",
    )
    .bind(user_id)
    .bind(i64::from(year))
    .bind(course_id)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// Whether a course is open to a trainee of `trade`: a public course to everyone, a trade
/// course to the trades it lists (the rule of selection and practice).
pub async fn open_to_trade(
    conn: &mut AnyConnection,
    course_id: i64,
    trade: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM courses c WHERE c.id = $1 AND (c.category = 'public' OR EXISTS \
         (SELECT 1 FROM course_trades t WHERE t.course_id = c.id AND t.trade = $2))",
    )
    .bind(course_id)
    .bind(trade)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// Removes a course from a plan unless time is credited on it; tells whether it was removed.
pub async fn unselect_unstarted(
    conn: &mut AnyConnection,
    user_id: i64,
    year: i32,
    course_id: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM selections WHERE user_id = $1 AND year = $2 AND course_id = $3 AND NOT EXISTS ( \
           SELECT 1 FROM lesson_progress p JOIN lessons l ON l.id = p.lesson_id \
           WHERE p.user_id = $1 AND p.year = $2 AND l.course_id = $3 AND p.credited_secs > 0)",
    )
    .bind(user_id)
    .bind(i64::from(year))
    .bind(course_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
