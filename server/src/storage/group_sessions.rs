//! Group sessions (集中学习): their schedule, seats, roll calls and attendance.
//!
//! Who may see a session is a [`Scope`]: an office admin's region subtree (sessions held for a
//! region inside it) or a proctor's own (sessions they run, `Within::Person`). A session
//! outside the scope is not found.
//!
//! The statements that change seats, roll calls and the study sessions at seats run in the
//! heartbeat writer's transaction ([`Tx`], `services::study_writer::StudyWriter::run`), since
//! on SQLite that writer is the only one to change study sessions; the schedule is written
//! through `Db::write`. Every change to a session first bumps its `version`, which locks the
//! session's row until the commit: two sign-ins racing for the last seat take turns.

use super::study::{self, CheckQuestion, Handover};
use super::{stored_enum, Then, Tx};
use crate::access::{Scope, Within};
use qinxue_core::group::{GroupFormat, GroupStatus, SeatEnd};
use qinxue_core::ledger::{DayTotal, LessonKind, LessonProgress};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// A group session as stored, with the names its pages show.
#[derive(Debug, Clone)]
pub struct GroupRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub room: String,
    pub region_code: String,
    pub region_path: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub year: i32,
    pub capacity: i64,
    pub course_id: i64,
    pub course_title: String,
    pub proctor_id: i64,
    pub proctor_login: String,
    pub proctor_name: String,
    pub format: GroupFormat,
    pub open_to_region: bool,
    pub status: GroupStatus,
    pub pin: Option<String>,
    pub pin_failures: i64,
    pub opened_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub next_roll_call_at: Option<i64>,
    pub lecture_lesson_id: Option<i64>,
    pub created_by: i64,
}

const SELECT: &str = "SELECT g.id, g.code, g.title, g.room, g.region_code, r.path AS region_path, \
     g.starts_at, g.ends_at, g.year, g.capacity, g.course_id, c.title AS course_title, g.proctor_id, \
     p.username AS proctor_login, p.name AS proctor_name, g.format, g.open_to_region, g.status, \
     g.pin, g.pin_failures, g.opened_at, g.closed_at, g.next_roll_call_at, g.lecture_lesson_id, \
     g.created_by \
     FROM group_sessions g JOIN regions r ON r.code = g.region_code \
     JOIN courses c ON c.id = g.course_id JOIN users p ON p.id = g.proctor_id";

fn from_row(r: &AnyRow) -> Result<GroupRow, sqlx::Error> {
    Ok(GroupRow {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        title: r.try_get("title")?,
        room: r.try_get("room")?,
        region_code: r.try_get("region_code")?,
        region_path: r.try_get("region_path")?,
        starts_at: r.try_get("starts_at")?,
        ends_at: r.try_get("ends_at")?,
        year: i32::try_from(r.try_get::<i64, _>("year")?)
            .map_err(|e| sqlx::Error::Decode(e.into()))?,
        capacity: r.try_get("capacity")?,
        course_id: r.try_get("course_id")?,
        course_title: r.try_get("course_title")?,
        proctor_id: r.try_get("proctor_id")?,
        proctor_login: r
            .try_get::<Option<String>, _>("proctor_login")?
            .unwrap_or_default(),
        proctor_name: r.try_get("proctor_name")?,
        format: stored_enum(&r.try_get::<String, _>("format")?, GroupFormat::from_wire)?,
        open_to_region: r.try_get::<i64, _>("open_to_region")? == 1,
        status: stored_enum(&r.try_get::<String, _>("status")?, GroupStatus::from_wire)?,
        pin: r.try_get("pin")?,
        pin_failures: r.try_get("pin_failures")?,
        opened_at: r.try_get("opened_at")?,
        closed_at: r.try_get("closed_at")?,
        next_roll_call_at: r.try_get("next_roll_call_at")?,
        lecture_lesson_id: r.try_get("lecture_lesson_id")?,
        created_by: r.try_get("created_by")?,
    })
}

/// The condition that the session `g` is inside the scope, its value the `$n`th.
fn scope_sql(scope: &Scope, n: usize) -> String {
    match scope.within() {
        Within::Person(_) => format!("g.proctor_id = ${n}"),
        Within::Region(_) => format!("r.path LIKE ${n}"),
        // No capability hands out a unit scope over group sessions.
        Within::Unit(_) => "1 = 0".to_owned(),
    }
}

/// A session inside the scope.
pub async fn get_in(
    conn: &mut AnyConnection,
    id: i64,
    scope: &Scope,
) -> Result<Option<GroupRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE g.id = $1 AND {}", scope_sql(scope, 2));
    let q = sqlx::query(&sql).bind(id);
    scope
        .bind(q)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// A session by id, whoever asks (the seat paths, which check their own credential).
pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<GroupRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE g.id = $1");
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// A session by its room code.
pub async fn by_code(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Option<GroupRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE g.code = $1");
    sqlx::query(&sql)
        .bind(code)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Sessions inside the scope, latest start first, with how many trainees each is assigned.
pub async fn list_in(
    conn: &mut AnyConnection,
    scope: &Scope,
) -> Result<Vec<(GroupRow, i64)>, sqlx::Error> {
    let sql = format!(
        "SELECT * FROM ({SELECT} WHERE {}) g2 ORDER BY g2.starts_at DESC, g2.id DESC",
        scope_sql(scope, 1)
    );
    let rows = scope.bind(sqlx::query(&sql)).fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let g = from_row(r)?;
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM group_session_trainees WHERE group_session_id = $1",
        )
        .bind(g.id)
        .fetch_one(&mut *conn)
        .await?;
        out.push((g, n));
    }
    Ok(out)
}

/// Sessions not yet over that a trainee may come to: assigned to them, or open to a region
/// that holds their unit. Earliest first.
pub async fn upcoming_for(
    conn: &mut AnyConnection,
    user_id: i64,
    now: i64,
) -> Result<Vec<GroupRow>, sqlx::Error> {
    let sql = format!(
        "{SELECT} WHERE g.ends_at > $2 AND g.status IN ('scheduled', 'open') AND ( \
           g.id IN (SELECT group_session_id FROM group_session_trainees WHERE user_id = $1) \
           OR (g.open_to_region = 1 AND EXISTS (SELECT 1 FROM users u JOIN units un ON un.id = u.unit_id \
               JOIN regions ur ON ur.code = un.region_code \
               WHERE u.id = $1 AND ur.path LIKE r.path || '%'))) \
         ORDER BY g.starts_at, g.id"
    );
    let rows = sqlx::query(&sql)
        .bind(user_id)
        .bind(now)
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// A region's materialised path.
pub async fn region_path(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT path FROM regions WHERE code = $1")
        .bind(code)
        .fetch_optional(conn)
        .await
}

/// A proctor's account by sign-in name: (id, their region's path).
pub async fn find_proctor(
    conn: &mut AnyConnection,
    login: &str,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT u.id, r.path FROM users u JOIN regions r ON r.code = u.region_code \
         WHERE u.username = $1 AND u.role = $2",
    )
    .bind(login)
    .bind(qinxue_core::Role::Proctor.as_str())
    .fetch_optional(conn)
    .await?;
    row.map(|r| Ok((r.try_get("id")?, r.try_get("path")?)))
        .transpose()
}

/// Which of these ids are trainees inside the scope.
pub async fn trainees_in(
    conn: &mut AnyConnection,
    ids: &[i64],
    scope: &Scope,
) -> Result<Vec<i64>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT u.id FROM users u WHERE u.role = $1 AND {} AND u.id IN ({})",
        scope.people_sql("u", 2),
        // `$n` markers throughout: SQLite numbers a `?` after the scope's `$2` unreliably.
        (3..3 + ids.len())
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut q = scope.bind(sqlx::query(&sql).bind(qinxue_core::Role::Trainee.as_str()));
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(conn)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect()
}

/// The trainees a session is assigned.
pub async fn assigned(conn: &mut AnyConnection, id: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT user_id FROM group_session_trainees WHERE group_session_id = $1 ORDER BY user_id",
    )
    .bind(id)
    .fetch_all(conn)
    .await
}

/// What a new or changed schedule is made of.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub title: String,
    pub room: String,
    pub region_code: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub year: i32,
    pub capacity: i64,
    pub course_id: i64,
    pub proctor_id: i64,
    pub format: GroupFormat,
    /// None: open to the region.
    pub trainee_ids: Option<Vec<i64>>,
}

async fn set_trainees(
    conn: &mut AnyConnection,
    id: i64,
    ids: &Option<Vec<i64>>,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM group_session_trainees WHERE group_session_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for user in ids.iter().flatten() {
        sqlx::query(
            "INSERT INTO group_session_trainees (group_session_id, user_id) VALUES ($1, $2)",
        )
        .bind(id)
        .bind(*user)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Inserts a scheduled session with its room code; returns its id.
pub async fn insert(
    conn: &mut AnyConnection,
    s: &Schedule,
    code: &str,
    by: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO group_sessions (code, title, room, region_code, starts_at, ends_at, year, \
         capacity, course_id, proctor_id, format, open_to_region, status, pin_failures, version, \
         created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'scheduled', 0, 0, $13, $14) \
         RETURNING id",
    )
    .bind(code)
    .bind(&s.title)
    .bind(&s.room)
    .bind(&s.region_code)
    .bind(s.starts_at)
    .bind(s.ends_at)
    .bind(i64::from(s.year))
    .bind(s.capacity)
    .bind(s.course_id)
    .bind(s.proctor_id)
    .bind(s.format.as_str())
    .bind(i64::from(s.trainee_ids.is_none()))
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    set_trainees(conn, id, &s.trainee_ids).await?;
    Ok(id)
}

/// Changes a session that is still scheduled and has not started at `now`; false when it is
/// not (any more).
pub async fn update_scheduled(
    conn: &mut AnyConnection,
    id: i64,
    s: &Schedule,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE group_sessions SET title = $2, room = $3, region_code = $4, starts_at = $5, \
         ends_at = $6, year = $7, capacity = $8, course_id = $9, proctor_id = $10, format = $11, \
         open_to_region = $12, version = version + 1 \
         WHERE id = $1 AND status = 'scheduled' AND starts_at > $13",
    )
    .bind(id)
    .bind(&s.title)
    .bind(&s.room)
    .bind(&s.region_code)
    .bind(s.starts_at)
    .bind(s.ends_at)
    .bind(i64::from(s.year))
    .bind(s.capacity)
    .bind(s.course_id)
    .bind(s.proctor_id)
    .bind(s.format.as_str())
    .bind(i64::from(s.trainee_ids.is_none()))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    set_trainees(conn, id, &s.trainee_ids).await?;
    Ok(true)
}

/// Cancels a session that is still scheduled and has not started at `now`.
pub async fn cancel_scheduled(
    conn: &mut AnyConnection,
    id: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE group_sessions SET status = 'cancelled', version = version + 1 \
         WHERE id = $1 AND status = 'scheduled' AND starts_at > $2",
    )
    .bind(id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Opens a scheduled session with its first PIN and the time of the server's first roll call.
pub async fn open(
    conn: &mut AnyConnection,
    id: i64,
    pin: &str,
    next_roll_call_at: Option<i64>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE group_sessions SET status = 'open', pin = $2, pin_set_at = $3, pin_failures = 0, \
         opened_at = $3, next_roll_call_at = $4, version = version + 1 \
         WHERE id = $1 AND status = 'scheduled'",
    )
    .bind(id)
    .bind(pin)
    .bind(now)
    .bind(next_roll_call_at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives an open session a new PIN.
pub async fn set_pin(
    conn: &mut AnyConnection,
    id: i64,
    pin: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE group_sessions SET pin = $2, pin_set_at = $3, pin_failures = 0, \
         version = version + 1 WHERE id = $1 AND status = 'open'",
    )
    .bind(id)
    .bind(pin)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Locks an open session's row until the commit and answers its PIN and the wrong PINs given
/// since it was set; none when it is not open.
pub async fn lock_open(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<(String, i64)>, sqlx::Error> {
    let row = sqlx::query(
        "UPDATE group_sessions SET version = version + 1 WHERE id = $1 AND status = 'open' \
         RETURNING pin, pin_failures",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok((
            r.try_get::<Option<String>, _>("pin")?.unwrap_or_default(),
            r.try_get("pin_failures")?,
        ))
    })
    .transpose()
}

/// Counts a wrong PIN against the session; answers the count since the PIN was set.
pub async fn count_pin_failure(conn: &mut AnyConnection, id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE group_sessions SET pin_failures = pin_failures + 1 WHERE id = $1 \
         RETURNING pin_failures",
    )
    .bind(id)
    .fetch_one(conn)
    .await
}

/// Records a seat sign-in attempt.
pub async fn record_attempt(
    conn: &mut AnyConnection,
    id: i64,
    terminal: &str,
    now: i64,
    success: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO seat_attempts (group_session_id, terminal, at, success) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(terminal)
    .bind(now)
    .bind(i64::from(success))
    .execute(conn)
    .await?;
    Ok(())
}

/// Wrong PINs a terminal gave since an instant (in any session).
pub async fn terminal_failures(
    conn: &mut AnyConnection,
    terminal: &str,
    since: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM seat_attempts WHERE terminal = $1 AND at > $2 AND success = 0",
    )
    .bind(terminal)
    .bind(since)
    .fetch_one(conn)
    .await
}

/// A trainee who may be seated, by 身份证号: (id, name, their unit's region path).
pub async fn trainee_by_id_number(
    conn: &mut AnyConnection,
    id_number: &str,
) -> Result<Option<(i64, String, Option<String>)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT u.id, u.name, r.path FROM users u LEFT JOIN units un ON un.id = u.unit_id \
         LEFT JOIN regions r ON r.code = un.region_code WHERE u.id_number = $1 AND u.role = $2",
    )
    .bind(id_number)
    .bind(qinxue_core::Role::Trainee.as_str())
    .fetch_optional(conn)
    .await?;
    row.map(|r| Ok((r.try_get("id")?, r.try_get("name")?, r.try_get("path")?)))
        .transpose()
}

/// Whether a trainee is assigned to a session.
pub async fn is_assigned(
    conn: &mut AnyConnection,
    id: i64,
    user_id: i64,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM group_session_trainees WHERE group_session_id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(user_id)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// A seat credential as its extractor needs it.
#[derive(Debug, Clone)]
pub struct SeatRow {
    pub id: i64,
    pub group_session_id: i64,
    pub user_id: i64,
    pub left_reason: Option<SeatEnd>,
    pub left: bool,
    pub status: GroupStatus,
    pub course_id: i64,
    pub year: i32,
    pub seen_at: i64,
}

/// The seat whose token has this hash.
pub async fn find_seat(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<SeatRow>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT s.id, s.group_session_id, s.user_id, s.left_at, s.left_reason, s.seen_at, \
         g.status, g.course_id, g.year \
         FROM group_seats s JOIN group_sessions g ON g.id = s.group_session_id \
         WHERE s.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(SeatRow {
            id: r.try_get("id")?,
            group_session_id: r.try_get("group_session_id")?,
            user_id: r.try_get("user_id")?,
            left: r.try_get::<Option<i64>, _>("left_at")?.is_some(),
            left_reason: r
                .try_get::<Option<String>, _>("left_reason")?
                .map(|v| stored_enum(&v, SeatEnd::from_wire))
                .transpose()?,
            status: stored_enum(&r.try_get::<String, _>("status")?, GroupStatus::from_wire)?,
            course_id: r.try_get("course_id")?,
            year: i32::try_from(r.try_get::<i64, _>("year")?)
                .map_err(|e| sqlx::Error::Decode(e.into()))?,
            seen_at: r.try_get("seen_at")?,
        })
    })
    .transpose()
}

/// Notes that a live seat's page is there (while no lesson is open).
pub async fn seen(conn: &mut AnyConnection, seat_id: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE group_seats SET seen_at = $2 WHERE id = $1 AND left_at IS NULL")
        .bind(seat_id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// One person's seats and study in a session, as the console shows them.
#[derive(Debug, Clone)]
pub struct SeatLine {
    pub user_id: i64,
    pub name: String,
    pub id_number: String,
    /// Their latest seat.
    pub signed_in_at: i64,
    pub first_signed_in_at: i64,
    pub seen_at: i64,
    pub by_proctor: bool,
    pub left_at: Option<i64>,
    pub left_reason: Option<SeatEnd>,
    /// Their live study session at a seat of the session, if any.
    pub study: Option<SeatStudy>,
    /// Credited at the seats of the session, by all their study sessions there.
    pub credited_secs: i64,
    /// The last heartbeat of any of their study sessions there.
    pub last_beat: Option<i64>,
}

/// A live study session at a seat.
#[derive(Debug, Clone)]
pub struct SeatStudy {
    pub lesson_id: i64,
    pub lesson_title: String,
    pub started_at: i64,
    pub last_beat: i64,
    pub blocked: bool,
    pub inactive: bool,
}

/// Everyone who has sat in a session, with their latest seat and their study there.
pub async fn seat_lines(conn: &mut AnyConnection, id: i64) -> Result<Vec<SeatLine>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT s.user_id, u.name, u.id_number, s.signed_in_at, s.seen_at, s.by_proctor, s.left_at, \
         s.left_reason, \
         (SELECT MIN(s2.signed_in_at) FROM group_seats s2 WHERE s2.group_session_id = s.group_session_id \
           AND s2.user_id = s.user_id) AS first_signed_in_at, \
         (SELECT CAST(COALESCE(SUM(ss.credited_secs - ss.start_credited_secs), 0) AS BIGINT) \
           FROM study_sessions ss WHERE ss.group_session_id = s.group_session_id \
           AND ss.user_id = s.user_id) AS credited, \
         (SELECT MAX(ss.last_beat) FROM study_sessions ss WHERE ss.group_session_id = s.group_session_id \
           AND ss.user_id = s.user_id) AS last_beat, \
         live.lesson_id, l.title AS lesson_title, live.started_at AS live_started_at, \
         live.last_beat AS live_last_beat, live.blocked, live.inactive_since \
         FROM group_seats s JOIN users u ON u.id = s.user_id \
         LEFT JOIN study_sessions live ON live.group_session_id = s.group_session_id \
           AND live.user_id = s.user_id AND live.ended_at IS NULL AND s.left_at IS NULL \
         LEFT JOIN lessons l ON l.id = live.lesson_id \
         WHERE s.group_session_id = $1 AND s.id = (SELECT MAX(s3.id) FROM group_seats s3 \
           WHERE s3.group_session_id = s.group_session_id AND s3.user_id = s.user_id) \
         ORDER BY u.name, s.user_id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let study = match r.try_get::<Option<i64>, _>("lesson_id")? {
                Some(lesson_id) => Some(SeatStudy {
                    lesson_id,
                    lesson_title: r.try_get("lesson_title")?,
                    started_at: r.try_get("live_started_at")?,
                    last_beat: r.try_get("live_last_beat")?,
                    blocked: r.try_get::<i64, _>("blocked")? == 1,
                    inactive: r.try_get::<Option<i64>, _>("inactive_since")?.is_some(),
                }),
                None => None,
            };
            Ok(SeatLine {
                user_id: r.try_get("user_id")?,
                name: r.try_get("name")?,
                id_number: r
                    .try_get::<Option<String>, _>("id_number")?
                    .unwrap_or_default(),
                signed_in_at: r.try_get("signed_in_at")?,
                first_signed_in_at: r.try_get("first_signed_in_at")?,
                seen_at: r.try_get("seen_at")?,
                by_proctor: r.try_get::<Option<i64>, _>("by_proctor")?.is_some(),
                left_at: r.try_get("left_at")?,
                left_reason: r
                    .try_get::<Option<String>, _>("left_reason")?
                    .map(|v| stored_enum(&v, SeatEnd::from_wire))
                    .transpose()?,
                study,
                credited_secs: r.try_get("credited")?,
                last_beat: r.try_get("last_beat")?,
            })
        })
        .collect()
}

/// A person's seats in a session: (signed in, left), for which roll calls they were there.
pub async fn seat_spans(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Vec<(i64, i64, Option<i64>)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT user_id, signed_in_at, left_at FROM group_seats WHERE group_session_id = $1",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("user_id")?,
                r.try_get("signed_in_at")?,
                r.try_get("left_at")?,
            ))
        })
        .collect()
}

/// A roll call as stored.
#[derive(Debug, Clone)]
pub struct RollCallRow {
    pub id: i64,
    pub started_at: i64,
    pub expires_at: i64,
    pub started_by: Option<i64>,
}

/// A session's roll calls, in order.
pub async fn roll_calls(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Vec<RollCallRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, started_at, expires_at, started_by FROM roll_calls \
         WHERE group_session_id = $1 ORDER BY started_at, id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RollCallRow {
                id: r.try_get("id")?,
                started_at: r.try_get("started_at")?,
                expires_at: r.try_get("expires_at")?,
                started_by: r.try_get("started_by")?,
            })
        })
        .collect()
}

/// Every mark of a session's roll calls: (roll call, person, present).
pub async fn marks(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Vec<(i64, i64, bool)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT m.roll_call_id, m.user_id, m.present FROM roll_call_marks m \
         JOIN roll_calls rc ON rc.id = m.roll_call_id WHERE rc.group_session_id = $1",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("roll_call_id")?,
                r.try_get("user_id")?,
                r.try_get::<i64, _>("present")? == 1,
            ))
        })
        .collect()
}

/// Seconds credited per person in a session, by source: (person, seat, lecture, correction).
pub async fn credits(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Vec<(i64, i64, i64, i64)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT p.user_id, \
         (SELECT CAST(COALESCE(SUM(ss.credited_secs - ss.start_credited_secs), 0) AS BIGINT) \
           FROM study_sessions ss WHERE ss.group_session_id = $1 AND ss.user_id = p.user_id) AS seat, \
         (SELECT CAST(COALESCE(SUM(m.credited_secs), 0) AS BIGINT) FROM roll_call_marks m \
           JOIN roll_calls rc ON rc.id = m.roll_call_id \
           WHERE rc.group_session_id = $1 AND m.user_id = p.user_id) AS lecture, \
         (SELECT CAST(COALESCE(SUM(c.delta_secs), 0) AS BIGINT) FROM group_corrections c \
           WHERE c.group_session_id = $1 AND c.user_id = p.user_id) AS correction \
         FROM (SELECT user_id FROM group_seats WHERE group_session_id = $1 \
           UNION SELECT user_id FROM group_session_trainees WHERE group_session_id = $1 \
           UNION SELECT m.user_id FROM roll_call_marks m JOIN roll_calls rc ON rc.id = m.roll_call_id \
             WHERE rc.group_session_id = $1 \
           UNION SELECT user_id FROM group_corrections WHERE group_session_id = $1) p",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("user_id")?,
                r.try_get("seat")?,
                r.try_get("lecture")?,
                r.try_get("correction")?,
            ))
        })
        .collect()
}

/// Names and 身份证号 (unmasked: callers mask) of people.
pub async fn people(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, name, id_number FROM users WHERE id IN ({})",
        super::params(conn, 1, ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("name")?,
                r.try_get::<Option<String>, _>("id_number")?
                    .unwrap_or_default(),
            ))
        })
        .collect()
}

/// Keeps a correction of a person's credited time in a closed session, with its reason.
pub async fn correct(
    conn: &mut AnyConnection,
    id: i64,
    user_id: i64,
    delta_secs: i64,
    reason: &str,
    by: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO group_corrections (group_session_id, user_id, delta_secs, reason, by_user, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(user_id)
    .bind(delta_secs)
    .bind(reason)
    .bind(by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Open sessions whose end has passed, and open sessions whose random roll call is due (the
/// seats' to answer, the console's to mark at a lecture): (id, ends_at, next_roll_call_at).
pub async fn due(
    conn: &mut AnyConnection,
    now: i64,
) -> Result<Vec<(i64, i64, Option<i64>)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, ends_at, next_roll_call_at FROM group_sessions WHERE status = 'open' \
         AND (ends_at <= $1 OR next_roll_call_at <= $1)",
    )
    .bind(now)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("ends_at")?,
                r.try_get("next_roll_call_at")?,
            ))
        })
        .collect()
}

// The statements below run in the heartbeat writer's transaction.

/// Bumps an open session's version (locking its row); answers its capacity, none when it is
/// not open.
pub async fn lock_open_tx(tx: &mut Tx, id: i64) -> Result<Option<i64>, sqlx::Error> {
    let rows = tx
        .run(
            "UPDATE group_sessions SET version = version + 1 WHERE id = $1 AND status = 'open' \
             RETURNING capacity",
            Then::More,
            |q| q.bind(id),
        )
        .await?;
    rows.first().map(|r| r.try_get("capacity")).transpose()
}

/// Live seats of a session other than this person's and this terminal's.
pub async fn other_live_seats(
    tx: &mut Tx,
    id: i64,
    user_id: i64,
    terminal: &str,
) -> Result<i64, sqlx::Error> {
    let rows = tx
        .run(
            "SELECT COUNT(*) AS n FROM group_seats WHERE group_session_id = $1 AND left_at IS NULL \
             AND user_id <> $2 AND terminal <> $3",
            Then::More,
            |q| q.bind(id).bind(user_id).bind(terminal.to_owned()),
        )
        .await?;
    rows.first().ok_or(sqlx::Error::RowNotFound)?.try_get("n")
}

/// Ends the live seats of this person (they moved) and of this terminal (the next person sat
/// down); answers the people whose seat ended.
pub async fn end_seats_of(
    tx: &mut Tx,
    id: i64,
    user_id: i64,
    terminal: &str,
    now: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let rows = tx
        .run(
            "UPDATE group_seats SET left_at = $4, left_reason = CASE WHEN user_id = $2 AND \
             terminal <> $3 THEN 'moved' ELSE 'replaced' END \
             WHERE group_session_id = $1 AND left_at IS NULL AND (user_id = $2 OR terminal = $3) \
             RETURNING user_id",
            Then::More,
            |q| q.bind(id).bind(user_id).bind(terminal.to_owned()).bind(now),
        )
        .await?;
    rows.iter().map(|r| r.try_get("user_id")).collect()
}

/// Seats a person at a terminal.
pub async fn insert_seat(
    tx: &mut Tx,
    id: i64,
    user_id: i64,
    token_hash: &str,
    terminal: &str,
    by_proctor: Option<i64>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let rows = tx
        .run(
            "INSERT INTO group_seats (group_session_id, user_id, token_hash, terminal, signed_in_at, \
             seen_at, by_proctor) VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING id",
            Then::More,
            |q| {
                q.bind(id)
                    .bind(user_id)
                    .bind(token_hash.to_owned())
                    .bind(terminal.to_owned())
                    .bind(now)
                    .bind(by_proctor)
            },
        )
        .await?;
    rows.first().ok_or(sqlx::Error::RowNotFound)?.try_get("id")
}

/// Ends one live seat; false when it had ended already.
pub async fn end_seat(
    tx: &mut Tx,
    seat_id: i64,
    reason: SeatEnd,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let rows = tx
        .run(
            "UPDATE group_seats SET left_at = $2, left_reason = $3 WHERE id = $1 AND left_at IS NULL \
             RETURNING id",
            Then::More,
            |q| q.bind(seat_id).bind(now).bind(reason.as_str()),
        )
        .await?;
    Ok(!rows.is_empty())
}

/// Closes an open session: no PIN, no more roll calls, every seat signed out. False when it
/// was not open.
pub async fn close_tx(tx: &mut Tx, id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let rows = tx
        .run(
            "UPDATE group_sessions SET status = 'closed', closed_at = $2, pin = NULL, \
             next_roll_call_at = NULL, version = version + 1 \
             WHERE id = $1 AND status = 'open' RETURNING id",
            Then::More,
            |q| q.bind(id).bind(now),
        )
        .await?;
    if rows.is_empty() {
        return Ok(false);
    }
    tx.run(
        "UPDATE group_seats SET left_at = $2, left_reason = 'closed' \
         WHERE group_session_id = $1 AND left_at IS NULL",
        Then::More,
        |q| q.bind(id).bind(now),
    )
    .await?;
    Ok(true)
}

/// Ends the live study sessions at the seats of a session (all, or one person's) and hands
/// their figures over, as `study::end_live` does; answers their ids.
pub async fn end_seat_studies(
    tx: &mut Tx,
    id: i64,
    user_id: Option<i64>,
    reason: &str,
    now: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let rows = tx
        .run(
            "UPDATE study_sessions SET ended_at = $3, end_reason = $4, check_id = NULL, \
             check_issued_at = NULL, check_expires_at = NULL, held_secs = 0 \
             WHERE group_session_id = $1 AND ($2 = 0 OR user_id = $2) AND ended_at IS NULL \
             RETURNING id, user_id, lesson_id, year, credited_secs, furthest_secs, \
             position_secs, credit_day, day_credited_secs",
            Then::More,
            |q| {
                q.bind(id)
                    .bind(user_id.unwrap_or(0))
                    .bind(now)
                    .bind(reason.to_owned())
            },
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
    study::hand_over(tx, &handovers, &[], now).await?;
    Ok(ids)
}

/// The live study sessions at the seats of a session (all, or one person's).
pub async fn live_seat_studies(
    tx: &mut Tx,
    id: i64,
    user_id: Option<i64>,
) -> Result<Vec<i64>, sqlx::Error> {
    let rows = tx
        .run(
            "SELECT id FROM study_sessions WHERE group_session_id = $1 AND ($2 = 0 OR user_id = $2) \
             AND ended_at IS NULL",
            Then::More,
            |q| q.bind(id).bind(user_id.unwrap_or(0)),
        )
        .await?;
    rows.iter().map(|r| r.try_get("id")).collect()
}

/// Starts a roll call; answers its id.
pub async fn insert_roll_call(
    tx: &mut Tx,
    id: i64,
    started_by: Option<i64>,
    lesson_id: Option<i64>,
    now: i64,
    expires_at: i64,
    next_roll_call_at: Option<i64>,
) -> Result<i64, sqlx::Error> {
    tx.run(
        "UPDATE group_sessions SET version = version + 1, next_roll_call_at = $2 WHERE id = $1",
        Then::More,
        |q| q.bind(id).bind(next_roll_call_at),
    )
    .await?;
    let rows = tx
        .run(
            "INSERT INTO roll_calls (group_session_id, started_at, expires_at, started_by, lesson_id) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            Then::More,
            |q| {
                q.bind(id)
                    .bind(now)
                    .bind(expires_at)
                    .bind(started_by)
                    .bind(lesson_id)
            },
        )
        .await?;
    rows.first().ok_or(sqlx::Error::RowNotFound)?.try_get("id")
}

/// The latest roll call of a session, read in the writer's transaction.
pub async fn latest_roll_call_tx(tx: &mut Tx, id: i64) -> Result<Option<RollCallRow>, sqlx::Error> {
    let rows = tx
        .run(
            "SELECT id, started_at, expires_at, started_by FROM roll_calls \
             WHERE group_session_id = $1 ORDER BY started_at DESC, id DESC LIMIT 1",
            Then::More,
            |q| q.bind(id),
        )
        .await?;
    rows.first()
        .map(|r| {
            Ok(RollCallRow {
                id: r.try_get("id")?,
                started_at: r.try_get("started_at")?,
                expires_at: r.try_get("expires_at")?,
                started_by: r.try_get("started_by")?,
            })
        })
        .transpose()
}

/// Records a person's mark at a roll call; false when they had one already.
pub async fn mark(
    tx: &mut Tx,
    roll_call_id: i64,
    user_id: i64,
    present: bool,
    by_proctor: Option<i64>,
    credited_secs: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let rows = tx
        .run(
            "INSERT INTO roll_call_marks (roll_call_id, user_id, at, by_proctor, present, credited_secs) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (roll_call_id, user_id) DO NOTHING \
             RETURNING user_id",
            Then::More,
            |q| {
                q.bind(roll_call_id)
                    .bind(user_id)
                    .bind(now)
                    .bind(by_proctor)
                    .bind(i64::from(present))
                    .bind(credited_secs)
            },
        )
        .await?;
    Ok(!rows.is_empty())
}

/// Whether a person has a mark at a roll call.
pub async fn has_mark(tx: &mut Tx, roll_call_id: i64, user_id: i64) -> Result<bool, sqlx::Error> {
    let rows = tx
        .run(
            "SELECT user_id FROM roll_call_marks WHERE roll_call_id = $1 AND user_id = $2",
            Then::More,
            |q| q.bind(roll_call_id).bind(user_id),
        )
        .await?;
    Ok(!rows.is_empty())
}

/// Whether a person had a seat in the session at some moment of `[from, to]`.
pub async fn was_seated(
    tx: &mut Tx,
    id: i64,
    user_id: i64,
    from: i64,
    to: i64,
) -> Result<bool, sqlx::Error> {
    let rows = tx
        .run(
            "SELECT id FROM group_seats WHERE group_session_id = $1 AND user_id = $2 \
             AND signed_in_at <= $4 AND (left_at IS NULL OR left_at >= $3) LIMIT 1",
            Then::More,
            |q| q.bind(id).bind(user_id).bind(from).bind(to),
        )
        .await?;
    Ok(!rows.is_empty())
}

/// Puts a roll call's question on a study session just opened, or blocks it (a roll call
/// missed before it opened), so that a new lesson does not escape either.
pub async fn carry_roll_call(
    tx: &mut Tx,
    study_id: i64,
    check: Option<(&CheckQuestion, i64, i64)>,
    blocked: bool,
) -> Result<(), sqlx::Error> {
    match check {
        Some((q, issued_at, expires_at)) => {
            let options = serde_json::to_string(&q.options).expect("strings serialise");
            tx.run(
                "UPDATE study_sessions SET check_id = $2, check_issued_at = $3, \
                 check_expires_at = $4, check_prompt = $5, check_options = $6, check_answer = $7, \
                 blocked = $8 WHERE id = $1",
                Then::More,
                |qq| {
                    qq.bind(study_id)
                        .bind(q.id.clone())
                        .bind(issued_at)
                        .bind(expires_at)
                        .bind(q.prompt.clone())
                        .bind(options)
                        .bind(q.answer.clone())
                        .bind(i64::from(blocked))
                },
            )
            .await?;
        }
        None if blocked => {
            tx.run(
                "UPDATE study_sessions SET blocked = 1 WHERE id = $1",
                Then::More,
                |q| q.bind(study_id),
            )
            .await?;
        }
        None => {}
    }
    Ok(())
}

/// A course's title, if it exists and is published.
pub async fn published_course(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT title FROM courses WHERE id = $1 AND published = 1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// A course's lessons in order with a person's credit on each in a year, a live session's
/// figure first: (id, title, kind, duration, credited).
pub async fn course_lessons(
    conn: &mut AnyConnection,
    course_id: i64,
    user_id: i64,
    year: i32,
) -> Result<Vec<(i64, String, String, i64, i64)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT l.id, l.title, l.kind, l.duration_secs, \
         COALESCE(s.credited_secs, p.credited_secs, 0) AS credited_secs \
         FROM lessons l \
         LEFT JOIN lesson_progress p ON p.lesson_id = l.id AND p.user_id = $2 AND p.year = $3 \
         LEFT JOIN study_sessions s ON s.user_id = $2 AND s.ended_at IS NULL \
           AND s.lesson_id = l.id AND s.year = $3 \
         WHERE l.course_id = $1 ORDER BY l.position",
    )
    .bind(course_id)
    .bind(user_id)
    .bind(i64::from(year))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("title")?,
                r.try_get("kind")?,
                r.try_get("duration_secs")?,
                r.try_get("credited_secs")?,
            ))
        })
        .collect()
}

/// The group session a study session studies at, if any.
pub async fn group_of_study(
    conn: &mut AnyConnection,
    study_id: i64,
) -> Result<Option<Option<i64>>, sqlx::Error> {
    sqlx::query_scalar("SELECT group_session_id FROM study_sessions WHERE id = $1")
        .bind(study_id)
        .fetch_optional(conn)
        .await
}

/// A roll call of a session by id, in the writer's transaction.
pub async fn roll_call_tx(
    tx: &mut Tx,
    id: i64,
    roll_call_id: i64,
) -> Result<Option<RollCallRow>, sqlx::Error> {
    let rows = tx
        .run(
            "SELECT id, started_at, expires_at, started_by FROM roll_calls \
             WHERE group_session_id = $1 AND id = $2",
            Then::More,
            |q| q.bind(id).bind(roll_call_id),
        )
        .await?;
    rows.first()
        .map(|r| {
            Ok(RollCallRow {
                id: r.try_get("id")?,
                started_at: r.try_get("started_at")?,
                expires_at: r.try_get("expires_at")?,
                started_by: r.try_get("started_by")?,
            })
        })
        .transpose()
}

/// Writes an administrator's action to the audit log inside the writer's transaction (as
/// `storage::audit::record` does on a connection).
pub async fn audit_tx(
    tx: &mut Tx,
    at: i64,
    actor_id: Option<i64>,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    tx.run(
        "INSERT INTO audit_log (at, actor_id, action, target, detail) VALUES ($1, $2, $3, $4, $5)",
        Then::More,
        |q| {
            q.bind(at)
                .bind(actor_id)
                .bind(action.to_owned())
                .bind(target.to_owned())
                .bind(detail.to_owned())
        },
    )
    .await?;
    Ok(())
}

/// The demo's group session (`seed`): a whole day's seats session of the catalogue's first
/// public course, scheduled by `office` for `region_code`, run by `proctor`, open to the
/// region.
pub async fn insert_demo(
    conn: &mut AnyConnection,
    code: &str,
    region_code: &str,
    office: &str,
    proctor: &str,
    year: i32,
    (starts_at, ends_at): (i64, i64),
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO group_sessions (code, title, room, region_code, starts_at, ends_at, year, \
         capacity, course_id, proctor_id, format, open_to_region, status, pin_failures, version, \
         created_by, created_at) \
         SELECT $1, '鲤城区工勤人员集中学习（演示）', '鲤城区机关事务服务中心三楼机房', $2, $3, $4, $5, 60, \
         (SELECT MIN(id) FROM courses WHERE category = 'public' AND published = 1), \
         (SELECT id FROM users WHERE username = $6), 'seats', 1, 'scheduled', 0, 0, \
         (SELECT id FROM users WHERE username = $7), $3",
    )
    .bind(code)
    .bind(region_code)
    .bind(starts_at)
    .bind(ends_at)
    .bind(i64::from(year))
    .bind(proctor)
    .bind(office)
    .execute(conn)
    .await?;
    Ok(())
}

/// A trainee who may be seated, by id: (id, name, their unit's region path).
pub async fn trainee_by_id(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<Option<(i64, String, Option<String>)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT u.id, u.name, r.path FROM users u LEFT JOIN units un ON un.id = u.unit_id \
         LEFT JOIN regions r ON r.code = un.region_code WHERE u.id = $1 AND u.role = $2",
    )
    .bind(user_id)
    .bind(qinxue_core::Role::Trainee.as_str())
    .fetch_optional(conn)
    .await?;
    row.map(|r| Ok((r.try_get("id")?, r.try_get("name")?, r.try_get("path")?)))
        .transpose()
}

/// The seat code a terminal shows in a session, if it has one.
pub async fn terminal_code(
    conn: &mut AnyConnection,
    id: i64,
    terminal: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT code FROM terminal_codes WHERE group_session_id = $1 AND terminal = $2",
    )
    .bind(id)
    .bind(terminal)
    .fetch_optional(conn)
    .await
}

/// Gives a terminal its seat code; a code another terminal of the session has already is a
/// unique violation (the caller draws another).
pub async fn insert_terminal_code(
    conn: &mut AnyConnection,
    id: i64,
    terminal: &str,
    code: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO terminal_codes (group_session_id, terminal, code, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (group_session_id, terminal) DO NOTHING",
    )
    .bind(id)
    .bind(terminal)
    .bind(code)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The terminal that shows this seat code in a session.
pub async fn terminal_by_code(
    conn: &mut AnyConnection,
    id: i64,
    code: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT terminal FROM terminal_codes WHERE group_session_id = $1 AND code = $2",
    )
    .bind(id)
    .bind(code)
    .fetch_optional(conn)
    .await
}

/// The token hash a seat the proctor made has until its terminal takes it: no cookie hashes
/// to it (hashes are hex), so it signs nobody in.
pub const PENDING_PREFIX: &str = "pending:";

/// Gives the terminal the live seat the proctor made for it: its token becomes the one the
/// terminal now holds. Answers (seat, person), none when there is no such seat.
pub async fn claim_pending_seat(
    conn: &mut AnyConnection,
    id: i64,
    terminal: &str,
    token_hash: &str,
) -> Result<Option<(i64, i64)>, sqlx::Error> {
    let row = sqlx::query(
        "UPDATE group_seats SET token_hash = $3 WHERE group_session_id = $1 AND terminal = $2 \
         AND left_at IS NULL AND token_hash LIKE 'pending:%' RETURNING id, user_id",
    )
    .bind(id)
    .bind(terminal)
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    row.map(|r| Ok((r.try_get("id")?, r.try_get("user_id")?)))
        .transpose()
}

/// Lecture: the lesson played becomes `lesson_id`, or (none) stays, or is the course's first
/// lesson when none was chosen yet (at opening). False when the session is over.
pub async fn set_lecture_lesson(
    conn: &mut AnyConnection,
    id: i64,
    lesson_id: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE group_sessions SET lecture_lesson_id = COALESCE($2, lecture_lesson_id, \
         (SELECT l.id FROM lessons l WHERE l.course_id = group_sessions.course_id \
          ORDER BY l.position, l.id LIMIT 1)), version = version + 1 \
         WHERE id = $1 AND status IN ('scheduled', 'open')",
    )
    .bind(id)
    .bind(lesson_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A lesson's title.
pub async fn lesson_title(
    conn: &mut AnyConnection,
    lesson_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT title FROM lessons WHERE id = $1")
        .bind(lesson_id)
        .fetch_optional(conn)
        .await
}

/// A roll call of a session with the lesson played in the stretch it ends, in the writer's
/// transaction: (roll call, lesson).
pub async fn lecture_roll_call_tx(
    tx: &mut Tx,
    id: i64,
    roll_call_id: i64,
) -> Result<Option<(RollCallRow, Option<i64>)>, sqlx::Error> {
    let rows = tx
        .run(
            "SELECT id, started_at, expires_at, started_by, lesson_id FROM roll_calls \
             WHERE group_session_id = $1 AND id = $2",
            Then::More,
            |q| q.bind(id).bind(roll_call_id),
        )
        .await?;
    rows.first()
        .map(|r| {
            Ok((
                RollCallRow {
                    id: r.try_get("id")?,
                    started_at: r.try_get("started_at")?,
                    expires_at: r.try_get("expires_at")?,
                    started_by: r.try_get("started_by")?,
                },
                r.try_get("lesson_id")?,
            ))
        })
        .transpose()
}

/// The roll call of a session before this one: (id, started_at).
pub async fn previous_roll_call_tx(
    tx: &mut Tx,
    id: i64,
    rc: &RollCallRow,
) -> Result<Option<(i64, i64)>, sqlx::Error> {
    let rows = tx
        .run(
            "SELECT id, started_at FROM roll_calls WHERE group_session_id = $1 \
             AND (started_at < $2 OR (started_at = $2 AND id < $3)) \
             ORDER BY started_at DESC, id DESC LIMIT 1",
            Then::More,
            |q| q.bind(id).bind(rc.started_at).bind(rc.id),
        )
        .await?;
    rows.first()
        .map(|r| Ok((r.try_get("id")?, r.try_get("started_at")?)))
        .transpose()
}

/// A person's mark at a roll call: present or absent, none when not marked.
pub async fn mark_tx(
    tx: &mut Tx,
    roll_call_id: i64,
    user_id: i64,
) -> Result<Option<bool>, sqlx::Error> {
    let rows = tx
        .run(
            "SELECT present FROM roll_call_marks WHERE roll_call_id = $1 AND user_id = $2",
            Then::More,
            |q| q.bind(roll_call_id).bind(user_id),
        )
        .await?;
    rows.first()
        .map(|r| Ok(r.try_get::<i64, _>("present")? == 1))
        .transpose()
}

/// A person's stored progress on a lesson in a year and their credit on a Shanghai day, as
/// the ledger credits them (the row is made when they have none): what a lecture's presence
/// is credited to. Their live study sessions must have been ended (handed over) first.
pub async fn presence_ledger_tx(
    tx: &mut Tx,
    user_id: i64,
    lesson_id: i64,
    year: i32,
    day: chrono::NaiveDate,
    now: i64,
) -> Result<(LessonProgress, DayTotal), sqlx::Error> {
    tx.run(
        "INSERT INTO lesson_progress (user_id, lesson_id, year, credited_secs, furthest_secs, position_secs, updated_at) \
         VALUES ($1, $2, $3, 0, 0, 0, $4) ON CONFLICT (user_id, lesson_id, year) DO NOTHING",
        Then::More,
        |q| q.bind(user_id).bind(lesson_id).bind(i64::from(year)).bind(now),
    )
    .await?;
    let rows = tx
        .run(
            "SELECT l.kind, l.duration_secs, p.credited_secs, p.furthest_secs, p.position_secs, \
             COALESCE((SELECT d.credited_secs FROM study_days d WHERE d.user_id = $1 AND d.day = $4), 0) AS day_credited \
             FROM lessons l JOIN lesson_progress p ON p.lesson_id = l.id AND p.user_id = $1 AND p.year = $3 \
             WHERE l.id = $2",
            Then::More,
            |q| {
                q.bind(user_id)
                    .bind(lesson_id)
                    .bind(i64::from(year))
                    .bind(study::day_key(day))
            },
        )
        .await?;
    let r = rows.first().ok_or(sqlx::Error::RowNotFound)?;
    Ok((
        LessonProgress {
            kind: stored_enum(&r.try_get::<String, _>("kind")?, LessonKind::from_wire)?,
            duration_secs: r.try_get("duration_secs")?,
            credited_secs: r.try_get("credited_secs")?,
            furthest_secs: r.try_get("furthest_secs")?,
            position_secs: r.try_get("position_secs")?,
        },
        DayTotal {
            day,
            credited_secs: r.try_get("day_credited")?,
        },
    ))
}

/// Pushes a practice set (question ids, in order) to a session's seats; answers its id.
pub async fn insert_practice(
    conn: &mut AnyConnection,
    id: i64,
    question_ids: &[i64],
    by: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO group_practices (group_session_id, question_ids, started_at, started_by) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(id)
    .bind(serde_json::to_string(question_ids).expect("numbers serialise"))
    .bind(now)
    .bind(by)
    .fetch_one(conn)
    .await
}

/// A session's current practice set (its latest): (id, question ids, started_at).
pub async fn latest_practice(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<(i64, Vec<i64>, i64)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, question_ids, started_at FROM group_practices WHERE group_session_id = $1 \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        let ids: Vec<i64> = serde_json::from_str(&r.try_get::<String, _>("question_ids")?)
            .map_err(|e| sqlx::Error::Decode(e.into()))?;
        Ok((r.try_get("id")?, ids, r.try_get("started_at")?))
    })
    .transpose()
}

/// A person's attempt on a pushed practice set.
pub async fn practice_attempt_of(
    conn: &mut AnyConnection,
    practice_id: i64,
    user_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT attempt_id FROM group_practice_attempts WHERE group_practice_id = $1 AND user_id = $2",
    )
    .bind(practice_id)
    .bind(user_id)
    .fetch_optional(conn)
    .await
}

/// Links a person's new attempt to a pushed set (a second link for them is a unique
/// violation: the caller reads the first).
pub async fn link_practice_attempt(
    conn: &mut AnyConnection,
    practice_id: i64,
    user_id: i64,
    attempt_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO group_practice_attempts (group_practice_id, user_id, attempt_id) VALUES ($1, $2, $3)",
    )
    .bind(practice_id)
    .bind(user_id)
    .bind(attempt_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Answers given on a pushed set, per question: (question, answered, right).
pub async fn practice_tallies(
    conn: &mut AnyConnection,
    practice_id: i64,
) -> Result<Vec<(i64, i64, i64)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT a.question_id, COUNT(*) AS answered, \
         CAST(COALESCE(SUM(a.correct), 0) AS BIGINT) AS right_ones \
         FROM practice_answers a JOIN group_practice_attempts g ON g.attempt_id = a.attempt_id \
         WHERE g.group_practice_id = $1 GROUP BY a.question_id",
    )
    .bind(practice_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("question_id")?,
                r.try_get("answered")?,
                r.try_get("right_ones")?,
            ))
        })
        .collect()
}
