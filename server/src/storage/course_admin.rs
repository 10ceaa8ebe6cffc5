//! Course management: the admin's view of a course (with who selected, studied or answered
//! what) and the changes to courses, lessons and questions.
//!
//! Positions are unique per course, so a reorder first moves every row to a negative
//! position and then to its new one; a course's practice lesson (made from its questions by
//! [`catalogue::sync_practice_lesson`]) always stays after its other lessons.

use super::{catalogue, stored_enum};
use qinxue_core::admin::{CourseInput, LessonInput, QuestionInput};
use qinxue_core::catalogue::{CourseCategory, QuestionKind};
use qinxue_core::ledger::LessonKind;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

fn count(r: &AnyRow, col: &str) -> Result<u32, sqlx::Error> {
    u32::try_from(r.try_get::<i64, _>(col)?).map_err(|e| sqlx::Error::Decode(e.into()))
}

async fn trades_by_course(
    conn: &mut AnyConnection,
    course_id: Option<i64>,
) -> Result<HashMap<i64, Vec<String>>, sqlx::Error> {
    let mut trades: HashMap<i64, Vec<String>> = HashMap::new();
    for r in sqlx::query(
        "SELECT course_id, trade FROM course_trades WHERE $1 = 0 OR course_id = $1 ORDER BY trade",
    )
    .bind(course_id.unwrap_or(0))
    .fetch_all(&mut *conn)
    .await?
    {
        trades
            .entry(r.try_get("course_id")?)
            .or_default()
            .push(r.try_get("trade")?);
    }
    Ok(trades)
}

/// A course in the admin's list, with its counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseSummaryRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub category: CourseCategory,
    pub trades: Vec<String>,
    pub hours: u32,
    pub published: bool,
    /// Written lessons (not the practice lesson).
    pub lessons: u32,
    pub questions: u32,
    /// Trainees who have the course in a plan.
    pub selected_by: i64,
}

/// A course with its lessons and questions and who selected, studied or answered them.
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
    pub published: bool,
    pub selected_by: i64,
    pub lessons: Vec<LessonRow>,
    pub questions: Vec<QuestionRow>,
}

/// A lesson as the admin edits it; `studied_by` counts trainees who opened a session on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonRow {
    pub id: i64,
    pub title: String,
    pub kind: LessonKind,
    pub duration_secs: i64,
    pub body: String,
    pub video: Option<String>,
    pub transcript: Option<String>,
    pub studied_by: i64,
}

/// A practice question; `answered` counts the answers given to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionRow {
    pub id: i64,
    pub kind: QuestionKind,
    pub stem: String,
    pub options: Vec<String>,
    pub answer: Vec<usize>,
    pub explanation: String,
    pub answered: i64,
}

/// Every course, newest first, with its counts.
pub async fn list(conn: &mut AnyConnection) -> Result<Vec<CourseSummaryRow>, sqlx::Error> {
    let mut trades = trades_by_course(conn, None).await?;
    let rows = sqlx::query(
        "SELECT c.id, c.code, c.title, c.category, c.hours, c.published, \
         (SELECT COUNT(*) FROM lessons l WHERE l.course_id = c.id AND l.kind <> $1) AS lessons, \
         (SELECT COUNT(*) FROM questions q WHERE q.course_id = c.id) AS questions, \
         (SELECT COUNT(DISTINCT s.user_id) FROM selections s WHERE s.course_id = c.id) AS selected_by \
         FROM courses c ORDER BY c.id DESC",
    )
    .bind(LessonKind::Practice.as_str())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            Ok(CourseSummaryRow {
                id,
                code: r.try_get("code")?,
                title: r.try_get("title")?,
                category: stored_enum(
                    &r.try_get::<String, _>("category")?,
                    CourseCategory::from_wire,
                )?,
                trades: trades.remove(&id).unwrap_or_default(),
                hours: count(r, "hours")?,
                published: r.try_get::<i64, _>("published")? == 1,
                lessons: count(r, "lessons")?,
                questions: count(r, "questions")?,
                selected_by: r.try_get("selected_by")?,
            })
        })
        .collect()
}

fn json<T: serde::de::DeserializeOwned>(r: &AnyRow, col: &str) -> Result<T, sqlx::Error> {
    serde_json::from_str(&r.try_get::<String, _>(col)?).map_err(|e| sqlx::Error::Decode(e.into()))
}

/// One course with its lessons and questions, in order.
pub async fn course(conn: &mut AnyConnection, id: i64) -> Result<Option<CourseRow>, sqlx::Error> {
    let Some(r) = sqlx::query(
        "SELECT c.id, c.code, c.title, c.category, c.hours, c.description, c.cover, c.published, \
         (SELECT COUNT(DISTINCT s.user_id) FROM selections s WHERE s.course_id = c.id) AS selected_by \
         FROM courses c WHERE c.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let trades = trades_by_course(conn, Some(id))
        .await?
        .remove(&id)
        .unwrap_or_default();
    let lessons = sqlx::query(
        "SELECT l.id, l.title, l.kind, l.duration_secs, l.body, l.video, l.transcript, \
         (SELECT COUNT(DISTINCT s.user_id) FROM study_sessions s WHERE s.lesson_id = l.id) AS studied_by \
         FROM lessons l WHERE l.course_id = $1 ORDER BY l.position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(LessonRow {
            id: r.try_get("id")?,
            title: r.try_get("title")?,
            kind: stored_enum(&r.try_get::<String, _>("kind")?, LessonKind::from_wire)?,
            duration_secs: r.try_get("duration_secs")?,
            body: r.try_get("body")?,
            video: r.try_get("video")?,
            transcript: r.try_get("transcript")?,
            studied_by: r.try_get("studied_by")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let questions = sqlx::query(
        "SELECT q.id, q.kind, q.stem, q.options, q.answer, q.explanation, \
         (SELECT COUNT(*) FROM practice_answers a WHERE a.question_id = q.id) AS answered \
         FROM questions q WHERE q.course_id = $1 ORDER BY q.position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(QuestionRow {
            id: r.try_get("id")?,
            kind: stored_enum(&r.try_get::<String, _>("kind")?, QuestionKind::from_wire)?,
            stem: r.try_get("stem")?,
            options: json(r, "options")?,
            answer: json(r, "answer")?,
            explanation: r.try_get("explanation")?,
            answered: r.try_get("answered")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Some(CourseRow {
        id,
        code: r.try_get("code")?,
        title: r.try_get("title")?,
        category: stored_enum(
            &r.try_get::<String, _>("category")?,
            CourseCategory::from_wire,
        )?,
        trades,
        hours: count(&r, "hours")?,
        description: r.try_get("description")?,
        cover: r.try_get("cover")?,
        published: r.try_get::<i64, _>("published")? == 1,
        selected_by: r.try_get("selected_by")?,
        lessons,
        questions,
    }))
}

async fn set_trades(
    conn: &mut AnyConnection,
    course_id: i64,
    trades: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM course_trades WHERE course_id = $1")
        .bind(course_id)
        .execute(&mut *conn)
        .await?;
    let mut unique: Vec<&String> = trades.iter().collect();
    unique.sort();
    unique.dedup();
    for trade in unique {
        sqlx::query("INSERT INTO course_trades (course_id, trade) VALUES ($1, $2)")
            .bind(course_id)
            .bind(trade)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A new, unpublished course; returns its id.
pub async fn insert_course(
    conn: &mut AnyConnection,
    code: &str,
    input: &CourseInput,
    cover: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO courses (code, title, category, hours, description, cover, published, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7) RETURNING id",
    )
    .bind(code)
    .bind(input.title.trim())
    .bind(input.category.as_str())
    .bind(i64::from(input.hours))
    .bind(input.description.trim())
    .bind(cover)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    set_trades(conn, id, &input.trades).await?;
    Ok(id)
}

/// Changes a course's fields; tells whether the course exists.
pub async fn update_course(
    conn: &mut AnyConnection,
    id: i64,
    input: &CourseInput,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE courses SET title = $1, category = $2, hours = $3, description = $4 WHERE id = $5",
    )
    .bind(input.title.trim())
    .bind(input.category.as_str())
    .bind(i64::from(input.hours))
    .bind(input.description.trim())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    set_trades(conn, id, &input.trades).await?;
    Ok(true)
}

pub async fn set_published(
    conn: &mut AnyConnection,
    id: i64,
    published: bool,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE courses SET published = $1 WHERE id = $2")
        .bind(i64::from(published))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_cover(conn: &mut AnyConnection, id: i64, url: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE courses SET cover = $1 WHERE id = $2")
        .bind(url)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves the course's practice lesson, if it has one, after all its other lessons.
async fn practice_lesson_last(conn: &mut AnyConnection, course_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE lessons SET position = (SELECT COALESCE(MAX(o.position), 0) + 1 FROM lessons o \
           WHERE o.course_id = $1 AND o.kind <> $2) \
         WHERE course_id = $1 AND kind = $2 AND position <= (SELECT COALESCE(MAX(o.position), 0) \
           FROM lessons o WHERE o.course_id = $1 AND o.kind <> $2)",
    )
    .bind(course_id)
    .bind(LessonKind::Practice.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// Appends a lesson (before the practice lesson); returns its id.
pub async fn insert_lesson(
    conn: &mut AnyConnection,
    course_id: i64,
    input: &LessonInput,
) -> Result<i64, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO lessons (course_id, position, title, kind, duration_secs, body, video, transcript) \
         SELECT $1, COALESCE(MAX(position), 0) + 1, $2, $3, $4, $5, $6, $7 FROM lessons WHERE course_id = $1 \
         RETURNING id",
    )
    .bind(course_id)
    .bind(input.title.trim())
    .bind(input.kind.as_str())
    .bind(input.duration_secs)
    .bind(&input.body)
    .bind(video(input))
    .bind(transcript(input))
    .fetch_one(&mut *conn)
    .await?;
    practice_lesson_last(conn, course_id).await?;
    Ok(id)
}

fn video(input: &LessonInput) -> Option<&str> {
    match input.kind {
        LessonKind::Video => input.video.as_deref(),
        _ => None,
    }
}

fn transcript(input: &LessonInput) -> Option<&str> {
    match input.kind {
        LessonKind::Video => input
            .transcript
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty()),
        _ => None,
    }
}

/// Changes a written (text or video) lesson of the course; a lesson that becomes text loses
/// its video, a video lesson keeps it unless the input names another. Tells whether there was
/// such a lesson.
pub async fn update_lesson(
    conn: &mut AnyConnection,
    course_id: i64,
    lesson_id: i64,
    input: &LessonInput,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE lessons SET title = $1, kind = $2, duration_secs = $3, body = $4, transcript = $5, \
         video = CASE WHEN $2 = 'video' THEN COALESCE($9, video) ELSE NULL END \
         WHERE id = $6 AND course_id = $7 AND kind <> $8",
    )
    .bind(input.title.trim())
    .bind(input.kind.as_str())
    .bind(input.duration_secs)
    .bind(&input.body)
    .bind(transcript(input))
    .bind(lesson_id)
    .bind(course_id)
    .bind(LessonKind::Practice.as_str())
    .bind(video(input))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets a video lesson's file; tells whether the course has such a lesson.
pub async fn set_video(
    conn: &mut AnyConnection,
    course_id: i64,
    lesson_id: i64,
    url: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE lessons SET video = $1 WHERE id = $2 AND course_id = $3 AND kind = 'video'",
    )
    .bind(url)
    .bind(lesson_id)
    .bind(course_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What became of a delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    Done,
    NotFound,
    /// Someone studied the lesson or answered the question.
    InUse,
}

/// Deletes a written lesson that no one has opened a study session on.
pub async fn delete_lesson(
    conn: &mut AnyConnection,
    course_id: i64,
    lesson_id: i64,
) -> Result<Deleted, sqlx::Error> {
    let exists: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM lessons WHERE id = $1 AND course_id = $2 AND kind <> $3",
    )
    .bind(lesson_id)
    .bind(course_id)
    .bind(LessonKind::Practice.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    if exists.is_none() {
        return Ok(Deleted::NotFound);
    }
    // One statement, so that a session opened meanwhile either blocks the delete or fails
    // on its foreign key; never a lesson deleted under someone's credited time.
    let done = sqlx::query(
        "DELETE FROM lessons WHERE id = $1 \
         AND NOT EXISTS (SELECT 1 FROM study_sessions s WHERE s.lesson_id = $1) \
         AND NOT EXISTS (SELECT 1 FROM lesson_progress p WHERE p.lesson_id = $1)",
    )
    .bind(lesson_id)
    .execute(conn)
    .await?;
    Ok(if done.rows_affected() == 1 {
        Deleted::Done
    } else {
        Deleted::InUse
    })
}

/// After questions were added or deleted: the practice lesson's length follows their number,
/// and it stays the course's last lesson.
pub async fn questions_changed(
    conn: &mut AnyConnection,
    course_id: i64,
) -> Result<(), sqlx::Error> {
    catalogue::sync_practice_lesson(conn, course_id).await?;
    practice_lesson_last(conn, course_id).await
}

/// Appends a question; call [`questions_changed`] after the last one.
pub async fn insert_question(
    conn: &mut AnyConnection,
    course_id: i64,
    q: &QuestionInput,
) -> Result<i64, sqlx::Error> {
    let id = sqlx::query_scalar(
        "INSERT INTO questions (course_id, position, kind, stem, options, answer, explanation) \
         SELECT $1, COALESCE(MAX(position), 0) + 1, $2, $3, $4, $5, $6 FROM questions WHERE course_id = $1 \
         RETURNING id",
    )
    .bind(course_id)
    .bind(q.kind.as_str())
    .bind(q.stem.trim())
    .bind(options_json(q))
    .bind(serde_json::to_string(&q.answer).expect("numbers serialise"))
    .bind(q.explanation.trim())
    .fetch_one(conn)
    .await?;
    Ok(id)
}

fn options_json(q: &QuestionInput) -> String {
    let options: Vec<&str> = q.options.iter().map(|o| o.trim()).collect();
    serde_json::to_string(&options).expect("strings serialise")
}

/// Changes a question of the course; tells whether there was one.
pub async fn update_question(
    conn: &mut AnyConnection,
    course_id: i64,
    question_id: i64,
    q: &QuestionInput,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE questions SET kind = $1, stem = $2, options = $3, answer = $4, explanation = $5 \
         WHERE id = $6 AND course_id = $7",
    )
    .bind(q.kind.as_str())
    .bind(q.stem.trim())
    .bind(options_json(q))
    .bind(serde_json::to_string(&q.answer).expect("numbers serialise"))
    .bind(q.explanation.trim())
    .bind(question_id)
    .bind(course_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes a question no one has answered in practice; call [`questions_changed`] after.
pub async fn delete_question(
    conn: &mut AnyConnection,
    course_id: i64,
    question_id: i64,
) -> Result<Deleted, sqlx::Error> {
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT id FROM questions WHERE id = $1 AND course_id = $2")
            .bind(question_id)
            .bind(course_id)
            .fetch_optional(&mut *conn)
            .await?;
    if exists.is_none() {
        return Ok(Deleted::NotFound);
    }
    let done = sqlx::query(
        "DELETE FROM questions WHERE id = $1 \
         AND NOT EXISTS (SELECT 1 FROM practice_answers a WHERE a.question_id = $1)",
    )
    .bind(question_id)
    .execute(conn)
    .await?;
    Ok(if done.rows_affected() == 1 {
        Deleted::Done
    } else {
        Deleted::InUse
    })
}

/// Which rows a reorder moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ordered {
    /// The written lessons (the practice lesson stays last).
    Lessons,
    Questions,
}

/// The ids a reorder must list, in their current order.
pub async fn ordered_ids(
    conn: &mut AnyConnection,
    course_id: i64,
    what: Ordered,
) -> Result<Vec<i64>, sqlx::Error> {
    match what {
        Ordered::Lessons => {
            sqlx::query_scalar(
                "SELECT id FROM lessons WHERE course_id = $1 AND kind <> $2 ORDER BY position",
            )
            .bind(course_id)
            .bind(LessonKind::Practice.as_str())
            .fetch_all(conn)
            .await
        }
        Ordered::Questions => {
            sqlx::query_scalar("SELECT id FROM questions WHERE course_id = $1 ORDER BY position")
                .bind(course_id)
                .fetch_all(conn)
                .await
        }
    }
}

/// Puts the rows in the order of `ids`, which the caller has checked against
/// [`ordered_ids`].
pub async fn reorder(
    conn: &mut AnyConnection,
    course_id: i64,
    what: Ordered,
    ids: &[i64],
) -> Result<(), sqlx::Error> {
    let table = match what {
        Ordered::Lessons => "lessons",
        Ordered::Questions => "questions",
    };
    sqlx::query(&format!(
        "UPDATE {table} SET position = -position WHERE course_id = $1"
    ))
    .bind(course_id)
    .execute(&mut *conn)
    .await?;
    for (position, id) in (1_i64..).zip(ids) {
        sqlx::query(&format!(
            "UPDATE {table} SET position = $1 WHERE id = $2 AND course_id = $3"
        ))
        .bind(position)
        .bind(id)
        .bind(course_id)
        .execute(&mut *conn)
        .await?;
    }
    if what == Ordered::Lessons {
        let next = i64::try_from(ids.len()).unwrap_or(i64::MAX - 1) + 1;
        sqlx::query("UPDATE lessons SET position = $1 WHERE course_id = $2 AND position < 0")
            .bind(next)
            .bind(course_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Every cover and video URL courses and lessons name (uploads and the seed's own files).
pub async fn media_in_use(conn: &mut AnyConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT cover FROM courses UNION SELECT video FROM lessons WHERE video IS NOT NULL",
    )
    .fetch_all(conn)
    .await
}

/// Every question stem of a course, to find an import's duplicates.
pub async fn stems(conn: &mut AnyConnection, course_id: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT stem FROM questions WHERE course_id = $1")
        .bind(course_id)
        .fetch_all(conn)
        .await
}
