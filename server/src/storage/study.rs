//! Study sessions, lesson progress and day totals (the ledger's rows).
//!
//! A heartbeat writes one row. The live study session carries its lesson's progress (credited,
//! furthest, resume position) and its trainee's credit on one Shanghai day, so that crediting
//! touches nothing else; it hands them over to `lesson_progress` and `study_days` when it
//! ends (explicitly or superseded), when its day ends, and at the lesson's first credit (so
//! that "has this trainee any credit on this course" stays a question about
//! `lesson_progress`). Every read of progress takes a live session's figures over the stored
//! ones, so it shows what the last heartbeat reply said.
//!
//! Hand-overs only ever raise a stored credit (they take the larger of the two), so doing one
//! twice, or two in either order, cannot lose or add a second.
//!
//! Heartbeats arrive in batches (see `services::study_writer`, which decides when each
//! hand-over is due): one statement writes back the state of all the sessions of a batch. The
//! update is guarded by the sequence number each session was loaded with and by the session
//! still being live, so two server instances on one PostgreSQL, or a session ended in between,
//! can never credit the same interval twice. These statements run in the writer's [`Tx`].

use super::{stored_enum, Backend, Then, Tx};
use chrono::NaiveDate;
use qinxue_core::ledger::{DayTotal, LessonKind, LessonProgress, OpenCheck, Session, YearRules};
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
    /// The sequence number the stored row has: the guard of the write-back.
    pub loaded_seq: i64,
    pub study_deadline: NaiveDate,
    /// The session's policy year's daily cap and check interval, read with the row (so the
    /// writer's memory of a session holds them too; a policy change makes it read again).
    pub rules: YearRules,
    pub session: Session,
    pub question: Option<CheckQuestion>,
    /// The lesson's progress as the session carries it.
    pub lesson: LessonProgress,
    /// The trainee's credit on the Shanghai day of the batch, as the session carries it.
    pub day: DayTotal,
    /// The trainee's credited seconds in the year, this session's lesson included.
    pub year_credited_secs: i64,
    pub end_reason: Option<String>,
    /// `lesson_progress.credited_secs` as stored: zero until the first hand-over.
    pub stored_credited_secs: i64,
    /// The group session whose seat this session studies at (its checks are roll calls).
    pub group_session_id: Option<i64>,
}

/// Everything about sessions that a heartbeat needs; `{today}` is the Shanghai day's marker.
const SELECT: &str = "SELECT s.id, s.user_id, s.lesson_id, s.year, s.group_session_id, s.ended_at, s.end_reason, s.seq, s.last_beat, \
     s.next_check_at, s.held_secs, s.blocked, s.inactive_since, s.check_id, s.check_issued_at, \
     s.check_expires_at, s.check_prompt, s.check_options, s.check_answer, \
     s.credited_secs, s.furthest_secs, s.position_secs, s.credit_day, \
     s.day_credited_secs AS stored_day_credited, \
     l.kind, l.duration_secs, py.study_deadline, py.daily_cap_minutes, py.check_min_minutes, \
     py.check_max_minutes, p.credited_secs AS stored_credited, \
     CASE WHEN s.credit_day = t.today THEN s.day_credited_secs ELSE COALESCE(d.credited_secs, 0) END AS day_credited, \
     (SELECT CAST(COALESCE(SUM(p2.credited_secs), 0) AS BIGINT) FROM lesson_progress p2 \
       WHERE p2.user_id = s.user_id AND p2.year = s.year AND p2.lesson_id <> s.lesson_id) AS other_credited \
     FROM study_sessions s \
     CROSS JOIN (SELECT CAST({today} AS TEXT) AS today) t \
     JOIN lessons l ON l.id = s.lesson_id \
     JOIN policy_years py ON py.year = s.year \
     JOIN lesson_progress p ON p.user_id = s.user_id AND p.lesson_id = s.lesson_id AND p.year = s.year \
     LEFT JOIN study_days d ON d.user_id = s.user_id AND d.day = t.today";

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
    let credited_secs: i64 = r.try_get("credited_secs")?;
    let group_session_id: Option<i64> = r.try_get("group_session_id")?;
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
        rules: YearRules {
            daily_cap_secs: r.try_get::<i64, _>("daily_cap_minutes")? * 60,
            check_min_secs: r.try_get::<i64, _>("check_min_minutes")? * 60,
            check_max_secs: r.try_get::<i64, _>("check_max_minutes")? * 60,
        },
        session: Session {
            seq,
            last_beat: r.try_get("last_beat")?,
            ended: r.try_get::<Option<i64>, _>("ended_at")?.is_some(),
            next_check_at: r.try_get("next_check_at")?,
            check,
            held_secs: r.try_get("held_secs")?,
            blocked: r.try_get::<i64, _>("blocked")? == 1,
            inactive_since: r.try_get("inactive_since")?,
            proctored: group_session_id.is_some(),
        },
        question,
        lesson: LessonProgress {
            kind: stored_enum(&r.try_get::<String, _>("kind")?, LessonKind::from_wire)?,
            duration_secs: r.try_get("duration_secs")?,
            credited_secs,
            furthest_secs: r.try_get("furthest_secs")?,
            position_secs: r.try_get("position_secs")?,
        },
        day: DayTotal {
            day,
            credited_secs: r.try_get("day_credited")?,
        },
        year_credited_secs: r.try_get::<i64, _>("other_credited")? + credited_secs,
        end_reason: r.try_get("end_reason")?,
        stored_credited_secs: r.try_get("stored_credited")?,
        group_session_id,
    })
}

pub fn day_key(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// A trainee's credit on one Shanghai day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayCredit {
    pub user_id: i64,
    pub day: String,
    pub credited_secs: i64,
}

/// Sessions as loaded, and what the stored rows hold for days that have ended.
#[derive(Debug, Default)]
pub struct Loaded {
    pub rows: HashMap<i64, StudyRow>,
    /// The day credit of live sessions whose day ended before the day they were loaded for:
    /// it is no longer in their rows (whose day is that day) and is owed to `study_days`.
    pub ended_days: Vec<DayCredit>,
}

/// Reads sessions by id, with their credit on the Shanghai day `day`. Writes nothing.
pub async fn load_many(tx: &mut Tx, ids: &[i64], day: NaiveDate) -> Result<Loaded, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Loaded::default());
    }
    let day_s = day_key(day);
    let sql = format!(
        "{} WHERE s.id IN ({})",
        SELECT.replace("{today}", &tx.params(1, 1)),
        tx.params(2, ids.len())
    );
    let found = tx
        .run(&sql, Then::More, |mut q| {
            q = q.bind(day_s.clone());
            for id in ids {
                q = q.bind(*id);
            }
            q
        })
        .await?;
    let mut loaded = Loaded {
        rows: HashMap::with_capacity(ids.len()),
        ended_days: Vec::new(),
    };
    for r in found {
        let row = from_row(&r, day)?;
        let credit_day: Option<String> = r.try_get("credit_day")?;
        let credited: i64 = r.try_get("stored_day_credited")?;
        if let Some(d) = credit_day.filter(|d| *d != day_s && credited > 0 && !row.session.ended) {
            loaded.ended_days.push(DayCredit {
                user_id: row.user_id,
                day: d,
                credited_secs: credited,
            });
        }
        loaded.rows.insert(row.id, row);
    }
    Ok(loaded)
}

/// The session whose open check has this id.
pub async fn session_of_check(
    conn: &mut AnyConnection,
    check_id: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM study_sessions WHERE check_id = $1")
        .bind(check_id)
        .fetch_optional(conn)
        .await
}

/// `SET column = ` the larger of the stored value and the new one (`excluded.…`).
fn larger(stored: &str) -> String {
    let column = stored.rsplit('.').next().unwrap_or(stored);
    format!("CASE WHEN excluded.{column} > {stored} THEN excluded.{column} ELSE {stored} END")
}

/// Which state of a session a write-back writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Save {
    /// What any heartbeat changes: sequence, interval, held credit, activity and progress.
    Beat,
    /// Everything, the anti-idle check and the end included.
    Full,
}

/// Writes back the state of sessions, each guarded by its `loaded_seq` and by still being
/// live; returns the ids whose guard held. On SQLite the heartbeat writer is the only writer
/// of these rows, so a guard that fails there is a bug and fails the whole statement.
pub async fn save(
    tx: &mut Tx,
    rows: &[&StudyRow],
    what: Save,
    now: i64,
    then: Then,
) -> Result<Vec<i64>, sqlx::Error> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let backend = tx.backend();
    // column1 id, 2 guard seq, then the columns set.
    let set: &[&str] = match what {
        Save::Beat => &[
            "seq",
            "last_beat",
            "held_secs",
            "inactive_since",
            "credited_secs",
            "furthest_secs",
            "position_secs",
            "credit_day",
            "day_credited_secs",
        ],
        Save::Full => &[
            "seq",
            "last_beat",
            "held_secs",
            "inactive_since",
            "credited_secs",
            "furthest_secs",
            "position_secs",
            "credit_day",
            "day_credited_secs",
            "ended_at",
            "end_reason",
            "next_check_at",
            "blocked",
            "check_id",
            "check_issued_at",
            "check_expires_at",
            "check_prompt",
            "check_options",
            "check_answer",
        ],
    };
    let cols = 2 + set.len();
    let values: Vec<String> = (0..rows.len())
        .map(|i| format!("({})", tx.params(1 + i * cols, cols)))
        .collect();
    let assignments: Vec<String> = set
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = v.column{}", i + 3))
        .collect();
    let sql = format!(
        "UPDATE study_sessions SET {} FROM (VALUES {}) AS v \
         WHERE study_sessions.id = v.column1 AND study_sessions.seq = v.column2 \
         AND study_sessions.ended_at IS NULL{}",
        assignments.join(", "),
        values.join(", "),
        // SQLite counts the rows changed by the statement itself (a row count from the call
        // would also count a `BEGIN` sent with it).
        if backend == Backend::Postgres {
            " RETURNING study_sessions.id"
        } else {
            "; SELECT changes()"
        }
    );
    let written = tx
        .run(&sql, then, |mut q| {
            for r in rows {
                let s = &r.session;
                q = q
                    .bind(r.id)
                    .bind(r.loaded_seq)
                    .bind(s.seq)
                    .bind(s.last_beat)
                    .bind(s.held_secs)
                    .bind(s.inactive_since)
                    .bind(r.lesson.credited_secs)
                    .bind(r.lesson.furthest_secs)
                    .bind(r.lesson.position_secs)
                    .bind(day_key(r.day.day))
                    .bind(r.day.credited_secs);
                if what == Save::Full {
                    let question = r.question.as_ref();
                    q =
                        q.bind(s.ended.then_some(now))
                            .bind(r.end_reason.clone())
                            .bind(s.next_check_at)
                            .bind(i64::from(s.blocked))
                            .bind(question.map(|c| c.id.clone()))
                            .bind(s.check.map(|c| c.issued_at))
                            .bind(s.check.map(|c| c.expires_at))
                            .bind(question.map(|c| c.prompt.clone()))
                            .bind(question.map(|c| {
                                serde_json::to_string(&c.options).expect("strings serialise")
                            }))
                            .bind(question.map(|c| c.answer.clone()));
                }
            }
            q
        })
        .await?;
    match backend {
        Backend::Postgres => written.iter().map(|r| r.try_get::<i64, _>(0)).collect(),
        Backend::Sqlite => {
            // The rows of the last statement that returns any: `SELECT changes()`.
            let changed: i64 = match written.last() {
                Some(r) => r.try_get(0)?,
                None => return Err(sqlx::Error::RowNotFound),
            };
            if usize::try_from(changed).ok() != Some(rows.len()) {
                return Err(sqlx::Error::Protocol(format!(
                    "{changed} of {} study sessions written: the others changed under the \
                     heartbeat writer",
                    rows.len()
                )));
            }
            Ok(rows.iter().map(|r| r.id).collect())
        }
    }
}

/// What a session hands over to `lesson_progress` and `study_days`.
#[derive(Debug, Clone)]
pub struct Handover {
    pub user_id: i64,
    pub lesson_id: i64,
    pub year: i64,
    pub credited_secs: i64,
    pub furthest_secs: i64,
    pub position_secs: i64,
    /// The Shanghai day its day credit belongs to, if it has any.
    pub day: Option<String>,
    pub day_credited_secs: i64,
}

impl From<&StudyRow> for Handover {
    fn from(r: &StudyRow) -> Self {
        Handover {
            user_id: r.user_id,
            lesson_id: r.lesson_id,
            year: i64::from(r.year),
            credited_secs: r.lesson.credited_secs,
            furthest_secs: r.lesson.furthest_secs,
            position_secs: r.lesson.position_secs,
            day: Some(day_key(r.day.day)),
            day_credited_secs: r.day.credited_secs,
        }
    }
}

/// Moves sessions' figures, and day credits of days that have ended, into `lesson_progress`
/// and `study_days`, never lowering a credit.
pub async fn hand_over(
    tx: &mut Tx,
    rows: &[Handover],
    ended_days: &[DayCredit],
    now: i64,
) -> Result<(), sqlx::Error> {
    // One statement may not touch a row twice (PostgreSQL refuses): one entry per key.
    let mut lessons: HashMap<(i64, i64, i64), &Handover> = HashMap::new();
    let mut days: HashMap<(i64, &str), i64> = HashMap::new();
    for d in ended_days {
        let e = days.entry((d.user_id, d.day.as_str())).or_default();
        *e = (*e).max(d.credited_secs);
    }
    for r in rows {
        let e = lessons.entry((r.user_id, r.lesson_id, r.year)).or_insert(r);
        if r.credited_secs > e.credited_secs {
            *e = r;
        }
        if let Some(day) = r.day.as_deref() {
            let d = days.entry((r.user_id, day)).or_default();
            *d = (*d).max(r.day_credited_secs);
        }
    }
    if !lessons.is_empty() {
        const COLS: usize = 7;
        let values: Vec<String> = (0..lessons.len())
            .map(|i| format!("({})", tx.params(1 + i * COLS, COLS)))
            .collect();
        let sql = format!(
            "INSERT INTO lesson_progress (user_id, lesson_id, year, credited_secs, furthest_secs, \
             position_secs, updated_at) VALUES {} ON CONFLICT (user_id, lesson_id, year) DO UPDATE \
             SET credited_secs = {}, furthest_secs = {}, position_secs = excluded.position_secs, \
             updated_at = excluded.updated_at",
            values.join(", "),
            larger("lesson_progress.credited_secs"),
            larger("lesson_progress.furthest_secs"),
        );
        tx.run(&sql, Then::More, |mut q| {
            for r in lessons.values() {
                q = q
                    .bind(r.user_id)
                    .bind(r.lesson_id)
                    .bind(r.year)
                    .bind(r.credited_secs)
                    .bind(r.furthest_secs)
                    .bind(r.position_secs)
                    .bind(now);
            }
            q
        })
        .await?;
        let keys: Vec<(i64, i64)> = lessons
            .keys()
            .map(|&(user, _, year)| (user, year))
            .collect();
        super::lesson_year_totals::refresh_tx(tx, &keys).await?;
        let users: Vec<i64> = keys.iter().map(|k| k.0).collect();
        super::year_standings::mark_tx(tx, &users).await?;
    }
    if days.is_empty() {
        return Ok(());
    }
    let values: Vec<String> = (0..days.len())
        .map(|i| format!("({})", tx.params(1 + i * 3, 3)))
        .collect();
    let sql = format!(
        "INSERT INTO study_days (user_id, day, credited_secs) VALUES {} \
         ON CONFLICT (user_id, day) DO UPDATE SET credited_secs = {}",
        values.join(", "),
        larger("study_days.credited_secs")
    );
    tx.run(&sql, Then::More, |mut q| {
        for ((user_id, day), credited) in &days {
            q = q.bind(*user_id).bind((*day).to_owned()).bind(*credited);
        }
        q
    })
    .await?;
    Ok(())
}

/// Ends every live session of a trainee and hands their figures over; returns their ids.
pub async fn end_live(
    tx: &mut Tx,
    user_id: i64,
    reason: &str,
    now: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let rows = tx
        .run(
            "UPDATE study_sessions SET ended_at = $2, end_reason = $3, check_id = NULL, \
             check_issued_at = NULL, check_expires_at = NULL, held_secs = 0 \
             WHERE user_id = $1 AND ended_at IS NULL \
             RETURNING id, user_id, lesson_id, year, credited_secs, furthest_secs, \
             position_secs, credit_day, day_credited_secs",
            Then::More,
            |q| q.bind(user_id).bind(now).bind(reason.to_owned()),
        )
        .await?;
    let mut ids = Vec::with_capacity(rows.len());
    let mut handovers = Vec::with_capacity(rows.len());
    for r in &rows {
        ids.push(r.try_get("id")?);
        handovers.push(Handover {
            user_id: r.try_get("user_id")?,
            lesson_id: r.try_get("lesson_id")?,
            year: r.try_get("year")?,
            credited_secs: r.try_get("credited_secs")?,
            furthest_secs: r.try_get("furthest_secs")?,
            position_secs: r.try_get("position_secs")?,
            day: r.try_get("credit_day")?,
            day_credited_secs: r.try_get("day_credited_secs")?,
        });
    }
    hand_over(tx, &handovers, &[], now).await?;
    Ok(ids)
}

/// A new session's id and the lesson progress it starts from.
#[derive(Debug, Clone, Copy)]
pub struct Opened {
    pub id: i64,
    pub credited_secs: i64,
    pub furthest_secs: i64,
    pub position_secs: i64,
}

/// Opens a session on a lesson at `now`, at a seat of `group_session_id` if one is named; the
/// trainee's live session, if any, must have been ended first (`end_live`).
pub async fn open(
    tx: &mut Tx,
    user_id: i64,
    lesson_id: i64,
    year: i32,
    session: &Session,
    now: i64,
    group_session_id: Option<i64>,
) -> Result<Opened, sqlx::Error> {
    let day = chrono::DateTime::from_timestamp(now, 0)
        .map(qinxue_core::time::local_date)
        .ok_or_else(|| sqlx::Error::Protocol(format!("instant {now} out of range")))?;
    tx.run(
        "INSERT INTO lesson_progress (user_id, lesson_id, year, credited_secs, furthest_secs, position_secs, updated_at) \
         VALUES ($1, $2, $3, 0, 0, 0, $4) ON CONFLICT (user_id, lesson_id, year) DO NOTHING",
        Then::More,
        |q| q.bind(user_id).bind(lesson_id).bind(i64::from(year)).bind(now),
    )
    .await?;
    let day = day_key(day);
    let (last_beat, next_check_at) = (session.last_beat, session.next_check_at);
    let opened = tx
        .run(
            "INSERT INTO study_sessions (user_id, lesson_id, year, started_at, seq, last_beat, next_check_at, \
             held_secs, blocked, credited_secs, furthest_secs, position_secs, credit_day, day_credited_secs, \
             group_session_id, start_credited_secs) \
             SELECT $1, $2, $3, $4, 0, $5, $6, 0, 0, p.credited_secs, p.furthest_secs, p.position_secs, $7, \
             COALESCE((SELECT d.credited_secs FROM study_days d WHERE d.user_id = $1 AND d.day = $7), 0), \
             $8, p.credited_secs \
             FROM lesson_progress p WHERE p.user_id = $1 AND p.lesson_id = $2 AND p.year = $3 \
             RETURNING id, credited_secs, furthest_secs, position_secs",
            Then::More,
            |q| {
                q.bind(user_id)
                    .bind(lesson_id)
                    .bind(i64::from(year))
                    .bind(now)
                    .bind(last_beat)
                    .bind(next_check_at)
                    .bind(day)
                    .bind(group_session_id)
            },
        )
        .await?;
    let row = opened.first().ok_or(sqlx::Error::RowNotFound)?;
    Ok(Opened {
        id: row.try_get("id")?,
        credited_secs: row.try_get("credited_secs")?,
        furthest_secs: row.try_get("furthest_secs")?,
        position_secs: row.try_get("position_secs")?,
    })
}

/// A trainee's progress on one lesson in a year, if they have started it: (credited,
/// furthest, resume position), a live session's figures first.
pub async fn progress(
    conn: &mut AnyConnection,
    user_id: i64,
    lesson_id: i64,
    year: i32,
) -> Result<Option<(i64, i64, i64)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT COALESCE(s.credited_secs, p.credited_secs) AS credited_secs, \
         COALESCE(s.furthest_secs, p.furthest_secs) AS furthest_secs, \
         COALESCE(s.position_secs, p.position_secs) AS position_secs \
         FROM lesson_progress p LEFT JOIN study_sessions s ON s.user_id = p.user_id \
         AND s.ended_at IS NULL AND s.lesson_id = p.lesson_id AND s.year = p.year \
         WHERE p.user_id = $1 AND p.lesson_id = $2 AND p.year = $3",
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
/// or studied; a live session's figure first.
pub async fn year_credits(
    conn: &mut AnyConnection,
    user_id: i64,
    year: i32,
) -> Result<Vec<(i64, String, i64, i64, i64, i64)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT c.id AS course_id, c.title, c.hours, l.id AS lesson_id, l.duration_secs, \
         COALESCE(s.credited_secs, p.credited_secs, 0) AS credited_secs \
         FROM courses c JOIN lessons l ON l.course_id = c.id \
         LEFT JOIN lesson_progress p ON p.lesson_id = l.id AND p.user_id = $1 AND p.year = $2 \
         LEFT JOIN study_sessions s ON s.user_id = $1 AND s.ended_at IS NULL \
           AND s.lesson_id = l.id AND s.year = $2 \
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
