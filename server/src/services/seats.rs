//! A room's terminals (DESIGN.md §8 "Group sessions"): what the kiosk shows, signing in at a
//! seat with 身份证号 and the session's PIN, and studying the session's course there.
//!
//! Wrong PINs are counted per terminal (its own cookie) and per session, never per address:
//! a room's terminals share one NAT address. A terminal locks for a while after
//! [`TERMINAL_FAILURES`]; a session's PIN is renewed after [`SESSION_FAILURES`] since it was
//! set, so that guessing across terminals gains nothing (the console shows the new one).
//! The PIN is checked before anything is said about the person, so that the kiosk reveals
//! nobody's registration to someone outside the room.

use crate::access::{AccessError, Actor, Seat};
use crate::auth::session::new_token;
use crate::error::AppError;
use crate::services::group_sessions::{
    answer_roll_call, at, roll_call_of_check, GroupSessionError,
};
use crate::services::study::{open_session, random_u64, Opening, StudyError};
use crate::state::AppState;
use crate::storage::group_sessions as store;
use crate::storage::study::{self, CheckQuestion};
use crate::storage::{catalogue, enrolments, policy_years};
use qinxue_core::api::{CheckPassed, Lesson, LessonProgressView, StudySession};
use qinxue_core::group::{
    self, GroupStatus, ProctorSeating, RoomInfo, SeatEnd, SeatLesson, SeatSession, SeatSignIn,
    ROLL_CALL_ANSWER, ROLL_CALL_PROMPT,
};
use qinxue_core::ledger::{LessonKind, Session};
use qinxue_core::IdNumber;

/// Wrong PINs after which a terminal must wait [`TERMINAL_WINDOW_SECS`].
pub const TERMINAL_FAILURES: i64 = 5;
pub const TERMINAL_WINDOW_SECS: i64 = 10 * 60;
/// Wrong PINs (from any terminal) after which a session's PIN is renewed.
pub const SESSION_FAILURES: i64 = 50;

/// How often a seat page's sign of life is written while no lesson is open.
const SEEN_EVERY_SECS: i64 = 15;

/// Why a terminal, a seat or a proctor seating someone is refused.
#[derive(Debug, thiserror::Error)]
pub enum SeatError {
    #[error(transparent)]
    Access(#[from] AccessError),
    /// No such room, session (in the proctor's scope), lesson of its course, or roll call.
    #[error("not found")]
    NotFound,
    /// The session has not opened yet.
    #[error("room not open")]
    RoomNotOpen,
    /// The session has closed (or was cancelled).
    #[error("room closed")]
    RoomClosed,
    /// Every seat of the room is taken.
    #[error("room full")]
    RoomFull,
    /// The person's unit lies outside the session's region.
    #[error("not in region")]
    NotInRegion,
    /// The session is for its assigned trainees only, and the person is not one.
    #[error("not assigned")]
    NotAssigned,
    /// The person is not enrolled for the session's year, or has no trainee account.
    #[error("not enrolled")]
    NotEnrolled,
    /// The proctor chose a trainee id that is nobody's.
    #[error("unknown trainee")]
    UnknownTrainee,
    /// A 身份证号 that cannot be one.
    #[error("invalid 身份证号")]
    InvalidIdNumber,
    /// The proctor named nobody: neither a trainee id nor a 身份证号.
    #[error("nobody named")]
    NobodyNamed,
    /// A seat code that is not 4 digits.
    #[error("bad seat code")]
    BadSeatCode,
    /// No terminal of the room shows the seat code.
    #[error("unknown seat code")]
    UnknownSeatCode,
    /// The terminal had [`TERMINAL_FAILURES`] wrong PINs within [`TERMINAL_WINDOW_SECS`].
    #[error("terminal locked")]
    TerminalLocked,
    #[error("wrong PIN")]
    WrongPin,
    /// A seat's credential used for another room.
    #[error("seat of another room")]
    SeatOnly,
    /// The session's policy year is not configured.
    #[error("no policy year")]
    NoPolicyYear,
    /// The session's year's study deadline has passed.
    #[error("study closed")]
    StudyClosed,
    /// Opening the study session at the seat was refused.
    #[error(transparent)]
    Study(#[from] StudyError),
    /// Answering the roll call at the seat was refused (boxed: a group session's errors carry
    /// a seat's in turn).
    #[error(transparent)]
    RollCall(Box<GroupSessionError>),
    /// A fault of the layers below (database, writers, randomness).
    #[error(transparent)]
    Fault(#[from] AppError),
}

impl From<sqlx::Error> for SeatError {
    fn from(e: sqlx::Error) -> Self {
        SeatError::Fault(e.into())
    }
}

async fn room(state: &AppState, code: &str) -> Result<store::GroupRow, SeatError> {
    if !group::is_room_code(code) {
        return Err(SeatError::NotFound);
    }
    let mut conn = state.db.read().await?;
    store::by_code(&mut conn, code)
        .await?
        .ok_or(SeatError::NotFound)
}

/// `GET /api/rooms/{code}`: the session as the kiosk shows it before anyone signs in.
pub async fn info(state: &AppState, code: &str) -> Result<RoomInfo, SeatError> {
    let g = room(state, code).await?;
    Ok(RoomInfo {
        code: g.code,
        title: g.title,
        room: g.room,
        course_title: g.course_title,
        format: g.format,
        status: g.status,
        starts_at: at(g.starts_at),
        ends_at: at(g.ends_at),
    })
}

/// A signed-in seat: its credential, and what the terminal shows.
#[derive(Debug)]
pub struct SignedInSeat {
    pub token: String,
    pub seat: SeatSession,
}

fn refused_status(status: GroupStatus) -> SeatError {
    match status {
        GroupStatus::Scheduled => SeatError::RoomNotOpen,
        _ => SeatError::RoomClosed,
    }
}

/// Whether a trainee (with their unit's region path) may attend the session: of its region,
/// assigned to it unless it is open to the region, and enrolled for its year.
pub(crate) async fn admit(
    conn: &mut sqlx::AnyConnection,
    g: &store::GroupRow,
    user_id: i64,
    unit_path: Option<String>,
) -> Result<(), SeatError> {
    if !unit_path.is_some_and(|p| p.starts_with(&g.region_path)) {
        return Err(SeatError::NotInRegion);
    }
    if !g.open_to_region && !store::is_assigned(&mut *conn, g.id, user_id).await? {
        return Err(SeatError::NotAssigned);
    }
    if !enrolments::is_active(conn, user_id, g.year).await? {
        return Err(SeatError::NotEnrolled);
    }
    Ok(())
}

/// The trainee a proctor names, by id (from the assigned list) or by 身份证号, with their
/// unit's region path.
pub(crate) async fn named_person(
    state: &AppState,
    trainee_id: Option<i64>,
    id_number: Option<&str>,
) -> Result<(i64, Option<String>), SeatError> {
    let mut conn = state.db.read().await?;
    let found = match (
        trainee_id,
        id_number.map(str::trim).filter(|s| !s.is_empty()),
    ) {
        (Some(user_id), _) => store::trainee_by_id(&mut conn, user_id)
            .await?
            .ok_or(SeatError::UnknownTrainee)?,
        (None, Some(raw)) => {
            let id_number = IdNumber::parse(raw, qinxue_core::time::local_date(state.clock.now()))
                .map_err(|_| SeatError::InvalidIdNumber)?;
            store::trainee_by_id_number(&mut conn, id_number.as_str())
                .await?
                .ok_or(SeatError::NotEnrolled)?
        }
        (None, None) => return Err(SeatError::NobodyNamed),
    };
    Ok((found.0, found.2))
}

/// Seats an admitted person at a terminal in the heartbeat writer, within the room's
/// capacity: their seat elsewhere and whoever sat at this terminal are signed out (their
/// study there ended). `token_hash`: the seat credential's (a pending one when the proctor
/// seats someone); `by`: that proctor. Answers the seat's id.
async fn seat_person(
    state: &AppState,
    id: i64,
    user_id: i64,
    token_hash: String,
    terminal: String,
    by: Option<i64>,
) -> Result<i64, SeatError> {
    let now_s = state.clock.now_secs();
    // The writer's transaction carries faults only: a refusal comes back as its value.
    let seated = state
        .study
        .run(move |tx| {
            Box::pin(async move {
                let Some(capacity) = store::lock_open_tx(tx, id).await? else {
                    return Ok((Err(SeatError::RoomClosed), Vec::new()));
                };
                if store::other_live_seats(tx, id, user_id, &terminal).await? >= capacity {
                    return Ok((Err(SeatError::RoomFull), Vec::new()));
                }
                let mut touched = Vec::new();
                for person in store::end_seats_of(tx, id, user_id, &terminal, now_s).await? {
                    touched.extend(
                        store::end_seat_studies(tx, id, Some(person), "seat_ended", now_s).await?,
                    );
                }
                let seat =
                    store::insert_seat(tx, id, user_id, &token_hash, &terminal, by, now_s).await?;
                if let Some(by) = by {
                    let detail = format!("user:{user_id}");
                    store::audit_tx(
                        tx,
                        now_s,
                        Some(by),
                        "group_session.seat",
                        &target(id),
                        &detail,
                    )
                    .await?;
                }
                Ok((Ok(seat), touched))
            })
        })
        .await?;
    let seat_id = seated?;
    state.rooms.changed(id);
    Ok(seat_id)
}

fn target(id: i64) -> String {
    format!("group_session:{id}")
}

/// How many times a new seat code is drawn when one is taken already.
const SEAT_CODE_TRIES: usize = 20;

/// `POST /api/rooms/{code}/terminal`: a kiosk nobody sits at asks whether the proctor has
/// seated someone at it (then it takes the seat: `Some` credential), or else learns the seat
/// code it shows.
pub async fn terminal(
    state: &AppState,
    code: &str,
    terminal: String,
) -> Result<(Option<SignedInSeat>, Option<String>), SeatError> {
    let g = room(state, code).await?;
    if g.status != GroupStatus::Open {
        return Err(refused_status(g.status));
    }
    let (token, hash) = new_token()?;
    let (id, term) = (g.id, terminal.clone());
    let claimed = state
        .db
        .write(move |c| {
            Box::pin(async move { Ok(store::claim_pending_seat(c, id, &term, &hash).await?) })
        })
        .await?;
    if let Some((seat_id, user_id)) = claimed {
        state.rooms.changed(id);
        let seat = Seat {
            seat_id,
            group_session_id: id,
            user_id,
            course_id: g.course_id,
            year: g.year,
            seen_at: state.clock.now_secs(),
        };
        let seat = session_of(state, &seat).await?;
        return Ok((Some(SignedInSeat { token, seat }), None));
    }
    let now = state.clock.now_secs();
    for _ in 0..SEAT_CODE_TRIES {
        {
            let mut conn = state.db.read().await?;
            if let Some(shown) = store::terminal_code(&mut conn, id, &terminal).await? {
                return Ok((None, Some(shown)));
            }
        }
        // A code another terminal shows already is refused by the index: draw again.
        let draw = group::seat_code_from_draw(random_u64()?);
        let term = terminal.clone();
        state
            .db
            .write(move |c| {
                Box::pin(async move {
                    match store::insert_terminal_code(c, id, &term, &draw, now).await {
                        Err(e) if crate::error::unique_violation(&e).is_none() => Err(e.into()),
                        _ => Ok(()),
                    }
                })
            })
            .await?;
    }
    let mut conn = state.db.read().await?;
    store::terminal_code(&mut conn, id, &terminal)
        .await?
        .map(|shown| (None, Some(shown)))
        .ok_or_else(|| AppError::Internal("no free seat code".into()).into())
}

/// Its proctor seats a person at the terminal showing `seat_code` (someone who cannot type
/// their 身份证号, or forgot): the same admission and capacity as signing in by PIN; the
/// terminal takes the seat at its next ask (`terminal`).
pub async fn seat_by_proctor(
    state: &AppState,
    actor: &Actor,
    id: i64,
    req: ProctorSeating,
) -> Result<(), SeatError> {
    let (user, scope) = actor.proctor()?;
    let g = {
        let mut conn = state.db.read().await?;
        store::get_in(&mut conn, id, &scope)
            .await?
            .ok_or(SeatError::NotFound)?
    };
    let seat_code = req.seat_code.trim();
    if !group::is_seat_code(seat_code) {
        return Err(SeatError::BadSeatCode);
    }
    if g.status != GroupStatus::Open {
        return Err(refused_status(g.status));
    }
    let terminal = {
        let mut conn = state.db.read().await?;
        store::terminal_by_code(&mut conn, id, seat_code)
            .await?
            .ok_or(SeatError::UnknownSeatCode)?
    };
    let (user_id, unit_path) =
        named_person(state, req.trainee_id, req.id_number.as_deref()).await?;
    {
        let mut conn = state.db.read().await?;
        admit(&mut conn, &g, user_id, unit_path).await?;
    }
    let (_, random) = new_token()?;
    let pending = format!("{}{random}", store::PENDING_PREFIX);
    seat_person(state, id, user_id, pending, terminal, Some(user.id)).await?;
    Ok(())
}

/// Signs a person in at a terminal (`terminal`: the hash of its cookie) with their 身份证号
/// and the session's PIN. Their seat elsewhere, and whoever sat at this terminal, are signed
/// out (with their study there ended); both are told why at their next request.
pub async fn sign_in(
    state: &AppState,
    code: &str,
    terminal: String,
    req: SeatSignIn,
) -> Result<SignedInSeat, SeatError> {
    let g = room(state, code).await?;
    if g.status != GroupStatus::Open {
        return Err(refused_status(g.status));
    }
    let now = state.clock.now();
    let id_number = IdNumber::parse(req.id_number.trim(), qinxue_core::time::local_date(now))
        .map_err(|_| SeatError::InvalidIdNumber)?;
    let pin = req.pin.trim().to_owned();
    let (id, now_s) = (g.id, now.timestamp());
    let fresh_pin = group::pin_from_draw(random_u64()?);
    let term = terminal.clone();
    let checked = state
        .db
        .write(move |c| {
            Box::pin(async move {
                // Every attempt on the session takes turns on its row, so that the counts
                // below cannot be passed by attempts racing each other.
                let Some((current, _)) = store::lock_open(&mut *c, id).await? else {
                    return Ok(Err(SeatError::RoomClosed));
                };
                let since = now_s - TERMINAL_WINDOW_SECS;
                if store::terminal_failures(&mut *c, &term, since).await? >= TERMINAL_FAILURES {
                    return Ok(Err(SeatError::TerminalLocked));
                }
                let right = !current.is_empty() && constant_time_eq(&current, &pin);
                store::record_attempt(&mut *c, id, &term, now_s, right).await?;
                if right {
                    return Ok(Ok(()));
                }
                if store::count_pin_failure(&mut *c, id).await? >= SESSION_FAILURES {
                    store::set_pin(&mut *c, id, &fresh_pin, now_s).await?;
                    tracing::warn!(group_session = id, "PIN renewed after too many wrong ones");
                }
                Ok(Err(SeatError::WrongPin))
            })
        })
        .await?;
    if let Err(e) = checked {
        state.rooms.changed(id);
        return Err(e);
    }
    let user_id = {
        let mut conn = state.db.read().await?;
        let (user_id, _, unit_path) = store::trainee_by_id_number(&mut conn, id_number.as_str())
            .await?
            .ok_or(SeatError::NotEnrolled)?;
        admit(&mut conn, &g, user_id, unit_path).await?;
        user_id
    };
    let (token, hash) = new_token()?;
    let seat_id = seat_person(state, id, user_id, hash, terminal, None).await?;
    let seat = Seat {
        seat_id,
        group_session_id: id,
        user_id,
        course_id: g.course_id,
        year: g.year,
        seen_at: now_s,
    };
    Ok(SignedInSeat {
        token,
        seat: session_of(state, &seat).await?,
    })
}

/// Compares two short secrets in time that does not depend on where they differ.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Who sits at the seat and what they study.
async fn session_of(state: &AppState, seat: &Seat) -> Result<SeatSession, SeatError> {
    let mut conn = state.db.read().await?;
    let g = store::get(&mut conn, seat.group_session_id)
        .await?
        .ok_or(SeatError::NotFound)?;
    let name = store::people(&mut conn, &[seat.user_id])
        .await?
        .into_iter()
        .next()
        .map(|p| p.1)
        .unwrap_or_default();
    let lessons = store::course_lessons(&mut conn, g.course_id, seat.user_id, g.year)
        .await?
        .into_iter()
        .map(
            |(id, title, kind, duration_secs, credited_secs)| SeatLesson {
                id,
                title,
                kind: LessonKind::from_wire(&kind).unwrap_or(LessonKind::Text),
                duration_secs,
                credited_secs,
            },
        )
        .collect();
    let credited_secs = store::credits(&mut conn, g.id)
        .await?
        .into_iter()
        .find(|c| c.0 == seat.user_id)
        .map_or(0, |c| c.1);
    Ok(SeatSession {
        group_session_id: g.id,
        code: g.code,
        title: g.title,
        room: g.room,
        ends_at: at(g.ends_at),
        name,
        course_id: g.course_id,
        course_title: g.course_title,
        lessons,
        credited_secs,
    })
}

/// `GET /api/rooms/{code}/seat`: the seat's person and course; also the seat page's sign of
/// life while no lesson is open.
pub async fn current(state: &AppState, seat: &Seat, code: &str) -> Result<SeatSession, SeatError> {
    let session = session_of(state, seat).await?;
    if session.code != code {
        return Err(SeatError::SeatOnly);
    }
    let now = state.clock.now_secs();
    if now - seat.seen_at >= SEEN_EVERY_SECS {
        let (id, group) = (seat.seat_id, seat.group_session_id);
        state
            .db
            .write(move |c| Box::pin(async move { Ok(store::seen(c, id, now).await?) }))
            .await?;
        state.rooms.changed(group);
    }
    Ok(session)
}

/// A seat's credential is for its own room only: `seat_only` on another room's routes.
pub async fn in_room(state: &AppState, seat: &Seat, code: &str) -> Result<(), SeatError> {
    let g = room(state, code).await?;
    if g.id != seat.group_session_id {
        return Err(SeatError::SeatOnly);
    }
    Ok(())
}

/// Signs out the seat whose credential this is (the person leaves, or the next one comes):
/// its study there ends. A credential that has ended already, or is unknown, needs nothing.
pub async fn sign_out(state: &AppState, code: &str, token: &str) -> Result<(), SeatError> {
    let found = {
        let mut conn = state.db.read().await?;
        match store::find_seat(&mut conn, &crate::auth::session::token_hash(token)).await? {
            Some(seat) if !seat.left => store::get(&mut conn, seat.group_session_id)
                .await?
                .filter(|g| g.code == code)
                .map(|_| seat),
            _ => None,
        }
    };
    let Some(seat) = found else {
        return Ok(());
    };
    let (seat_id, id, user_id, now) = (
        seat.id,
        seat.group_session_id,
        seat.user_id,
        state.clock.now_secs(),
    );
    state
        .study
        .run(move |tx| {
            Box::pin(async move {
                if !store::end_seat(tx, seat_id, SeatEnd::SignedOut, now).await? {
                    return Ok(((), Vec::new()));
                }
                let ended =
                    store::end_seat_studies(tx, id, Some(user_id), "seat_ended", now).await?;
                Ok(((), ended))
            })
        })
        .await?;
    state.rooms.changed(id);
    Ok(())
}

/// A lesson of the session's course, with the person's progress this year.
pub async fn lesson(state: &AppState, seat: &Seat, lesson_id: i64) -> Result<Lesson, SeatError> {
    let mut conn = state.db.read().await?;
    let l = catalogue::lesson(&mut conn, lesson_id)
        .await?
        .filter(|l| l.course_id == seat.course_id)
        .ok_or(SeatError::NotFound)?;
    let (credited_secs, furthest_secs, position_secs) =
        study::progress(&mut conn, seat.user_id, l.id, seat.year)
            .await?
            .unwrap_or_default();
    Ok(Lesson {
        id: l.id,
        course_id: l.course_id,
        course_title: l.course_title,
        title: l.title,
        kind: l.kind,
        duration_secs: l.duration_secs,
        body: l.body,
        video: l.video,
        transcript: l.transcript,
        progress: LessonProgressView {
            credited_secs,
            furthest_secs,
            position_secs,
        },
    })
}

/// Opens a study session at the seat on a lesson of the session's course (ending the person's
/// other live session, here or anywhere). A roll call still open that they have not answered
/// comes with it, and one they missed blocks it, so that changing lessons escapes neither.
pub async fn start(
    state: &AppState,
    seat: &Seat,
    lesson_id: i64,
) -> Result<StudySession, SeatError> {
    let now = state.clock.now();
    {
        let mut conn = state.db.read().await?;
        catalogue::lesson(&mut conn, lesson_id)
            .await?
            .filter(|l| l.course_id == seat.course_id)
            .ok_or(SeatError::NotFound)?;
        let year = policy_years::get(&mut conn, seat.year)
            .await?
            .ok_or(SeatError::NoPolicyYear)?;
        if !year.study_open(now) {
            return Err(SeatError::StudyClosed);
        }
    }
    let (user_id, id, at_s) = (seat.user_id, seat.group_session_id, now.timestamp());
    let (_, random) = new_token()?;
    let opening = Opening {
        user_id,
        lesson_id,
        year: seat.year,
        at: at_s,
        group_session_id: Some(id),
        heartbeat_secs: state.ledger.heartbeat_secs,
        check_window_secs: group::ROLL_CALL_WINDOW_SECS,
    };
    open_session(
        state,
        opening,
        Session::proctored(at_s),
        move |tx, opened| {
            Box::pin(async move {
                let mut check = None;
                let mut blocked = false;
                if let Some(rc) = store::latest_roll_call_tx(tx, id).await? {
                    if !store::has_mark(tx, rc.id, user_id).await? {
                        if at_s <= rc.expires_at {
                            let q = CheckQuestion {
                                id: format!("rc{}-{}", rc.id, &random[..16]),
                                prompt: ROLL_CALL_PROMPT.to_owned(),
                                options: vec![ROLL_CALL_ANSWER.to_owned()],
                                answer: ROLL_CALL_ANSWER.to_owned(),
                            };
                            check = Some((q, rc.started_at, rc.expires_at));
                        } else {
                            blocked =
                                store::was_seated(tx, id, user_id, rc.started_at, rc.expires_at)
                                    .await?;
                        }
                    }
                }
                store::carry_roll_call(
                    tx,
                    opened,
                    check.as_ref().map(|(q, i, e)| (q, *i, *e)),
                    blocked,
                )
                .await?;
                Ok(())
            })
        },
    )
    .await
    .map_err(SeatError::Study)
}

/// Answers the roll call on the seat (its checks are roll calls only).
pub async fn answer(
    state: &AppState,
    seat: &Seat,
    check_id: &str,
    given: String,
) -> Result<CheckPassed, SeatError> {
    let roll_call = roll_call_of_check(check_id).ok_or(SeatError::NotFound)?;
    answer_roll_call(
        state,
        seat.group_session_id,
        roll_call,
        seat.user_id,
        None,
        given,
    )
    .await
    .map_err(|e| SeatError::RollCall(Box::new(e)))
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn pins_compare_only_equal_when_equal() {
        assert!(constant_time_eq("012345", "012345"));
        assert!(!constant_time_eq("012345", "012346"));
        assert!(!constant_time_eq("012345", "01234"));
    }
}
