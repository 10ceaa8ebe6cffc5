//! What completion is computed from (`services::completion`): a trainee's enrolments, their
//! credited seconds per year and lesson kind, and their credit per Shanghai day with the last
//! heartbeat of that day. Reads only; the heartbeat path writes these rows and is not touched.

use super::stored_enum;
use chrono::NaiveDate;
use qinxue_core::ledger::LessonKind;
use qinxue_core::Grade;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

/// One of a trainee's enrolments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enrolment {
    pub year: i32,
    pub grade: Grade,
    pub active: bool,
}

fn year_of(v: i64) -> Result<i32, sqlx::Error> {
    i32::try_from(v).map_err(|e| sqlx::Error::Decode(e.into()))
}

/// When the trainee's account was made (Unix seconds); `None` for no such account.
pub async fn registered_at(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT created_at FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(conn)
        .await
}

/// Every enrolment of a trainee, by year.
pub async fn enrolments(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<Vec<Enrolment>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT year, grade, status FROM enrolments WHERE user_id = $1 ORDER BY year")
            .bind(user_id)
            .fetch_all(conn)
            .await?;
    rows.iter()
        .map(|r| {
            Ok(Enrolment {
                year: year_of(r.try_get("year")?)?,
                grade: stored_enum(&r.try_get::<String, _>("grade")?, Grade::from_wire)?,
                active: r.try_get::<String, _>("status")? == super::enrolments::ACTIVE,
            })
        })
        .collect()
}

/// Credited seconds of a trainee per year and lesson kind, a live session's figure first.
pub async fn lesson_totals(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<Vec<(i32, LessonKind, i64)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT p.year, l.kind, \
         CAST(SUM(COALESCE(s.credited_secs, p.credited_secs)) AS BIGINT) AS secs \
         FROM lesson_progress p JOIN lessons l ON l.id = p.lesson_id \
         LEFT JOIN study_sessions s ON s.user_id = p.user_id AND s.ended_at IS NULL \
           AND s.lesson_id = p.lesson_id AND s.year = p.year \
         WHERE p.user_id = $1 GROUP BY p.year, l.kind",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                year_of(r.try_get("year")?)?,
                stored_enum(&r.try_get::<String, _>("kind")?, LessonKind::from_wire)?,
                r.try_get("secs")?,
            ))
        })
        .collect()
}

/// A trainee's credit on one Shanghai day, and the last heartbeat of a session that day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day {
    pub day: NaiveDate,
    pub credited_secs: i64,
    pub last_beat: Option<i64>,
}

/// Every day a trainee has credit on. A session carries its day's total until it hands it to
/// `study_days` (never lowering it), so a day's credit is the larger of the two.
pub async fn days(conn: &mut AnyConnection, user_id: i64) -> Result<Vec<Day>, sqlx::Error> {
    let stored = sqlx::query("SELECT day, credited_secs FROM study_days WHERE user_id = $1")
        .bind(user_id)
        .fetch_all(&mut *conn)
        .await?;
    let live = sqlx::query(
        "SELECT credit_day AS day, MAX(day_credited_secs) AS credited_secs, \
         MAX(last_beat) AS last_beat FROM study_sessions \
         WHERE user_id = $1 AND credit_day IS NOT NULL GROUP BY credit_day",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    let parse = |s: String| {
        NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|e| sqlx::Error::Decode(e.into()))
    };
    let mut by_day: BTreeMap<NaiveDate, Day> = BTreeMap::new();
    for r in &stored {
        let day = parse(r.try_get("day")?)?;
        by_day.insert(
            day,
            Day {
                day,
                credited_secs: r.try_get("credited_secs")?,
                last_beat: None,
            },
        );
    }
    for r in &live {
        let day = parse(r.try_get("day")?)?;
        let secs: i64 = r.try_get("credited_secs")?;
        let entry = by_day.entry(day).or_insert(Day {
            day,
            credited_secs: 0,
            last_beat: None,
        });
        entry.credited_secs = entry.credited_secs.max(secs);
        entry.last_beat = r.try_get("last_beat")?;
    }
    Ok(by_day.into_values().collect())
}

/// A lesson of a course: (id, kind, nominal length), in course order. For the demo seed's
/// past years.
pub async fn lessons_of(
    conn: &mut AnyConnection,
    course_id: i64,
) -> Result<Vec<(i64, LessonKind, i64)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, kind, duration_secs FROM lessons WHERE course_id = $1 ORDER BY position",
    )
    .bind(course_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                stored_enum(&r.try_get::<String, _>("kind")?, LessonKind::from_wire)?,
                r.try_get("duration_secs")?,
            ))
        })
        .collect()
}

/// Past study as the ledger would have stored it: a session on a lesson of `year` that ran on
/// the Shanghai day `day` from `started_at` to `ended_at` and earned `secs`, for the lesson's
/// progress and the day. For the demo seed (and tests) only: real study is credited by
/// heartbeats.
#[derive(Debug, Clone, Copy)]
pub struct PastStudy {
    pub user_id: i64,
    pub lesson_id: i64,
    pub year: i32,
    pub secs: i64,
    pub day: NaiveDate,
    pub started_at: i64,
    pub ended_at: i64,
}

pub async fn insert_past_study(conn: &mut AnyConnection, p: PastStudy) -> Result<(), sqlx::Error> {
    let PastStudy {
        user_id,
        lesson_id,
        year,
        secs,
        day,
        started_at,
        ended_at,
    } = p;
    let year = i64::from(year);
    let day = super::study::day_key(day);
    sqlx::query(
        "INSERT INTO lesson_progress (user_id, lesson_id, year, credited_secs, furthest_secs, \
         position_secs, updated_at) VALUES ($1, $2, $3, $4, $4, $4, $5) \
         ON CONFLICT (user_id, lesson_id, year) DO UPDATE SET \
         credited_secs = lesson_progress.credited_secs + excluded.credited_secs, \
         furthest_secs = excluded.furthest_secs, updated_at = excluded.updated_at",
    )
    .bind(user_id)
    .bind(lesson_id)
    .bind(year)
    .bind(secs)
    .bind(ended_at)
    .execute(&mut *conn)
    .await?;
    super::lesson_year_totals::refresh(&mut *conn, &[(user_id, year)]).await?;
    super::year_standings::mark(&mut *conn, &[user_id]).await?;
    let day_total: i64 = sqlx::query_scalar(
        "INSERT INTO study_days (user_id, day, credited_secs) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, day) DO UPDATE SET \
         credited_secs = study_days.credited_secs + excluded.credited_secs \
         RETURNING credited_secs",
    )
    .bind(user_id)
    .bind(day.as_str())
    .bind(secs)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO study_sessions (user_id, lesson_id, year, started_at, ended_at, end_reason, \
         seq, last_beat, next_check_at, held_secs, blocked, credited_secs, furthest_secs, \
         position_secs, credit_day, day_credited_secs) \
         VALUES ($1, $2, $3, $4, $5, 'closed', 1, $5, $5, 0, 0, \
         (SELECT credited_secs FROM lesson_progress WHERE user_id = $1 AND lesson_id = $2 AND year = $3), \
         $6, $6, $7, $8)",
    )
    .bind(user_id)
    .bind(lesson_id)
    .bind(year)
    .bind(started_at)
    .bind(ended_at)
    .bind(secs)
    .bind(day.as_str())
    .bind(day_total)
    .execute(conn)
    .await?;
    Ok(())
}
