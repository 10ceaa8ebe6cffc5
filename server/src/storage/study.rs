//! Study sessions, lesson progress and day totals (the ledger's rows).
//!
//! Heartbeats arrive in batches (see `services::study_writer`): one query loads every session
//! of a batch with its lesson progress and day total, and three statements write back the
//! final state of all of them. The session update is guarded by the sequence number it was
//! loaded with and by the session still being live, and only the sessions that pass the guard
//! have their lesson and day rows written: so two server instances on one PostgreSQL, or a
//! session ended in between, can never credit the same interval twice.

use super::stored_enum;
use chrono::NaiveDate;
use qinxue_core::ledger::{DayTotal, LessonKind, LessonProgress, OpenCheck, Session};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

/// The open check's question, kept beside the ledger's `OpenCheck`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckQuestion {
    pub id: String,
    pub prompt: String,
    pub options: Vec<String>,
    pub answer: String,
}

/// A session with everything a heartbeat or an answer needs.
#[derive(Debug, Clone)]
pub struct StudyRow {
    pub id: i64,
    pub user_id: i64,
    pub lesson_id: i64,
    pub year: i32,
    /// The sequence number the row was loaded with: the guard of the write-back.
    pub loaded_seq: i64,
    pub study_deadline: NaiveDate,
    pub session: Session,
    pub question: Option<CheckQuestion>,
    pub lesson: LessonProgress,
    pub day: DayTotal,
    /// The trainee's credited seconds in the year, before this batch.
    pub year_credited_secs: i64,
    pub end_reason: Option<String>,
}

const SELECT: &str = "SELECT s.id, s.user_id, s.lesson_id, s.year, s.ended_at, s.end_reason, s.seq, s.last_beat, \
     s.next_check_at, s.held_secs, s.blocked, s.inactive_since, s.check_id, s.check_issued_at, \
     s.check_expires_at, s.check_prompt, s.check_options, s.check_answer, \
     l.kind, l.duration_secs, p.credited_secs, p.furthest_secs, p.position_secs, py.study_deadline, \
     COALESCE(d.credited_secs, 0) AS day_credited, \
     (SELECT CAST(COALESCE(SUM(p2.credited_secs), 0) AS BIGINT) FROM lesson_progress p2 \
       WHERE p2.user_id = s.user_id AND p2.year = s.year) AS year_credited \
     FROM study_sessions s \
     JOIN lessons l ON l.id = s.lesson_id \
     JOIN policy_years py ON py.year = s.year \
     JOIN lesson_progress p ON p.user_id = s.user_id AND p.lesson_id = s.lesson_id AND p.year = s.year \
     LEFT JOIN study_days d ON d.user_id = s.user_id AND d.day = $1";

fn from_row(r: &AnyRow, day: NaiveDate) -> Result<StudyRow, sqlx::Error> {
    let decode = |e: Box<dyn std::error::Error + Send + Sync>| sqlx::Error::Decode(e);
    let check = match (
        r.try_get::<Option<i64>, _>("check_issued_at")?,
        r.try_get::<Option<i64>, _>("check_expires_at")?,
    ) {
        (Some(issued_at), Some(expires_at)) => Some(OpenCheck {
            issued_at,
            expires_at,
        }),
        _ => None,
    };
    let question = match r.try_get::<Option<String>, _>("check_id")? {
        Some(id) => Some(CheckQuestion {
            id,
            prompt: r
                .try_get::<Option<String>, _>("check_prompt")?
                .unwrap_or_default(),
            options: serde_json::from_str(
                &r.try_get::<Option<String>, _>("check_options")?
                    .unwrap_or_default(),
            )
            .map_err(|e| decode(e.into()))?,
            answer: r
                .try_get::<Option<String>, _>("check_answer")?
                .unwrap_or_default(),
        }),
        None => None,
    };
    let seq: i64 = r.try_get("seq")?;
    Ok(StudyRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        lesson_id: r.try_get("lesson_id")?,
        year: i32::try_from(r.try_get::<i64, _>("year")?).map_err(|e| decode(e.into()))?,
        loaded_seq: seq,
        study_deadline: NaiveDate::parse_from_str(
            &r.try_get::<String, _>("study_deadline")?,
            "%Y-%m-%d",
        )
        .map_err(|e| decode(e.into()))?,
        session: Session {
            seq,
            last_beat: r.try_get("last_beat")?,
            ended: r.try_get::<Option<i64>, _>("ended_at")?.is_some(),
            next_check_at: r.try_get("next_check_at")?,
            check,
            held_secs: r.try_get("held_secs")?,
            blocked: r.try_get::<i64, _>("blocked")? == 1,
            inactive_since: r.try_get("inactive_since")?,
        },
        question,
        lesson: LessonProgress {
            kind: stored_enum(&r.try_get::<String, _>("kind")?, LessonKind::from_wire)?,
            duration_secs: r.try_get("duration_secs")?,
            credited_secs: r.try_get("credited_secs")?,
            furthest_secs: r.try_get("furthest_secs")?,
            position_secs: r.try_get("position_secs")?,
        },
        day: DayTotal {
            day,
            credited_secs: r.try_get("day_credited")?,
        },
        year_credited_secs: r.try_get("year_credited")?,
        end_reason: r.try_get("end_reason")?,
    })
}

fn day_key(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// `$from, $from+1, …` for `n` values.
fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Loads sessions by id, with their totals for the Shanghai day `day`.
pub async fn load_many(
    conn: &mut AnyConnection,
    ids: &[i64],
    day: NaiveDate,
) -> Result<HashMap<i64, StudyRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!("{SELECT} WHERE s.id IN ({})", placeholders(2, ids.len()));
    let mut q = sqlx::query(&sql).bind(day_key(day));
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(conn)
        .await?
        .iter()
        .map(|r| from_row(r, day).map(|row| (row.id, row)))
        .collect()
}

/// Loads the session whose open check has this id.
pub async fn load_by_check(
    conn: &mut AnyConnection,
    check_id: &str,
    day: NaiveDate,
) -> Result<Option<StudyRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE s.check_id = $2");
    let row = sqlx::query(&sql)
        .bind(day_key(day))
        .bind(check_id)
        .fetch_optional(conn)
        .await?;
    row.map(|r| from_row(&r, day)).transpose()
}

/// Writes back changed sessions; returns the ids whose guard held (and whose lesson and day
/// rows were written).
pub async fn save_many(
    conn: &mut AnyConnection,
    rows: &[&StudyRow],
    now: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    const SESSION_COLS: usize = 16;
    let values: Vec<String> = (0..rows.len())
        .map(|i| format!("({})", placeholders(1 + i * SESSION_COLS, SESSION_COLS)))
        .collect();
    // column1 id, 2 loaded seq, 3 seq, 4 last_beat, 5 ended_at, 6 end_reason, 7 next_check_at,
    // 8 held, 9 blocked, 10 inactive_since, 11 check_id, 12 issued, 13 expires, 14 prompt,
    // 15 options, 16 answer.
    let sql = format!(
        "UPDATE study_sessions SET seq = v.column3, last_beat = v.column4, ended_at = v.column5, \
         end_reason = v.column6, next_check_at = v.column7, held_secs = v.column8, blocked = v.column9, \
         inactive_since = v.column10, check_id = v.column11, check_issued_at = v.column12, \
         check_expires_at = v.column13, check_prompt = v.column14, check_options = v.column15, \
         check_answer = v.column16 \
         FROM (VALUES {}) AS v \
         WHERE study_sessions.id = v.column1 AND study_sessions.seq = v.column2 \
         AND study_sessions.ended_at IS NULL \
         RETURNING study_sessions.id",
        values.join(", ")
    );
    let mut q = sqlx::query_scalar::<_, i64>(&sql);
    for r in rows {
        let s = &r.session;
        let question = r.question.as_ref();
        q = q
            .bind(r.id)
            .bind(r.loaded_seq)
            .bind(s.seq)
            .bind(s.last_beat)
            .bind(s.ended.then_some(now))
            .bind(r.end_reason.clone())
            .bind(s.next_check_at)
            .bind(s.held_secs)
            .bind(i64::from(s.blocked))
            .bind(s.inactive_since)
            .bind(question.map(|c| c.id.clone()))
            .bind(s.check.map(|c| c.issued_at))
            .bind(s.check.map(|c| c.expires_at))
            .bind(question.map(|c| c.prompt.clone()))
            .bind(question.map(|c| serde_json::to_string(&c.options).expect("strings serialise")))
            .bind(question.map(|c| c.answer.clone()));
    }
    let saved = q.fetch_all(&mut *conn).await?;
    let won: Vec<&&StudyRow> = rows.iter().filter(|r| saved.contains(&r.id)).collect();
    if won.is_empty() {
        return Ok(saved);
    }

    const PROGRESS_COLS: usize = 7;
    let values: Vec<String> = (0..won.len())
        .map(|i| format!("({})", placeholders(1 + i * PROGRESS_COLS, PROGRESS_COLS)))
        .collect();
    let sql = format!(
        "INSERT INTO lesson_progress (user_id, lesson_id, year, credited_secs, furthest_secs, position_secs, updated_at) \
         VALUES {} ON CONFLICT (user_id, lesson_id, year) DO UPDATE SET credited_secs = excluded.credited_secs, \
         furthest_secs = excluded.furthest_secs, position_secs = excluded.position_secs, updated_at = excluded.updated_at",
        values.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for r in &won {
        q = q
            .bind(r.user_id)
            .bind(r.lesson_id)
            .bind(i64::from(r.year))
            .bind(r.lesson.credited_secs)
            .bind(r.lesson.furthest_secs)
            .bind(r.lesson.position_secs)
            .bind(now);
    }
    q.execute(&mut *conn).await?;

    // One row per trainee and day, even if a batch held two sessions of one trainee.
    let mut days: HashMap<(i64, NaiveDate), i64> = HashMap::new();
    for r in &won {
        let e = days.entry((r.user_id, r.day.day)).or_default();
        *e = (*e).max(r.day.credited_secs);
    }
    let values: Vec<String> = (0..days.len())
        .map(|i| format!("({})", placeholders(1 + i * 3, 3)))
        .collect();
    let sql = format!(
        "INSERT INTO study_days (user_id, day, credited_secs) VALUES {} \
         ON CONFLICT (user_id, day) DO UPDATE SET credited_secs = excluded.credited_secs",
        values.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for ((user_id, day), credited) in &days {
        q = q.bind(*user_id).bind(day_key(*day)).bind(*credited);
    }
    q.execute(conn).await?;
    Ok(saved)
}

/// Ends every live session of a trainee and opens a new one; returns its id.
pub async fn open(
    conn: &mut AnyConnection,
    user_id: i64,
    lesson_id: i64,
    year: i32,
    session: &Session,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "UPDATE study_sessions SET ended_at = $2, end_reason = 'superseded', check_id = NULL \
         WHERE user_id = $1 AND ended_at IS NULL",
    )
    .bind(user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO lesson_progress (user_id, lesson_id, year, credited_secs, furthest_secs, position_secs, updated_at) \
         VALUES ($1, $2, $3, 0, 0, 0, $4) ON CONFLICT (user_id, lesson_id, year) DO NOTHING",
    )
    .bind(user_id)
    .bind(lesson_id)
    .bind(i64::from(year))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar(
        "INSERT INTO study_sessions (user_id, lesson_id, year, started_at, seq, last_beat, next_check_at, \
         held_secs, blocked) VALUES ($1, $2, $3, $4, 0, $5, $6, 0, 0) RETURNING id",
    )
    .bind(user_id)
    .bind(lesson_id)
    .bind(i64::from(year))
    .bind(now)
    .bind(session.last_beat)
    .bind(session.next_check_at)
    .fetch_one(conn)
    .await
}

/// A trainee's progress on one lesson in a year, if they have started it.
pub async fn progress(
    conn: &mut AnyConnection,
    user_id: i64,
    lesson_id: i64,
    year: i32,
) -> Result<Option<(i64, i64, i64)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT credited_secs, furthest_secs, position_secs FROM lesson_progress \
         WHERE user_id = $1 AND lesson_id = $2 AND year = $3",
    )
    .bind(user_id)
    .bind(lesson_id)
    .bind(i64::from(year))
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok((
            r.try_get("credited_secs")?,
            r.try_get("furthest_secs")?,
            r.try_get("position_secs")?,
        ))
    })
    .transpose()
}

/// Credited seconds per lesson of a trainee's year: (course id, course title, course hours,
/// lesson id, lesson duration, credited), in catalogue order, for every course they selected
/// or studied.
pub async fn year_credits(
    conn: &mut AnyConnection,
    user_id: i64,
    year: i32,
) -> Result<Vec<(i64, String, i64, i64, i64, i64)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT c.id AS course_id, c.title, c.hours, l.id AS lesson_id, l.duration_secs, \
         COALESCE(p.credited_secs, 0) AS credited_secs \
         FROM courses c JOIN lessons l ON l.course_id = c.id \
         LEFT JOIN lesson_progress p ON p.lesson_id = l.id AND p.user_id = $1 AND p.year = $2 \
         WHERE c.id IN (SELECT course_id FROM selections WHERE user_id = $1 AND year = $2) \
            OR c.id IN (SELECT l2.course_id FROM lesson_progress p2 JOIN lessons l2 ON l2.id = p2.lesson_id \
                        WHERE p2.user_id = $1 AND p2.year = $2) \
         ORDER BY c.category, c.id, l.position",
    )
    .bind(user_id)
    .bind(i64::from(year))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("course_id")?,
                r.try_get("title")?,
                r.try_get("hours")?,
                r.try_get("lesson_id")?,
                r.try_get("duration_secs")?,
                r.try_get("credited_secs")?,
            ))
        })
        .collect()
}
