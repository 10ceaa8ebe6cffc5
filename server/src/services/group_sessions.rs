//! Group sessions as the office and the proctor run them (DESIGN.md §3, §8 "Group sessions"):
//! scheduling inside the office admin's region subtree, opening with a PIN, the console's
//! view and its live events, roll calls (the proctor's and the server's random ones), closing
//! with the attendance, and the office's corrections afterwards. What a seat does is
//! `services::seats`.
//!
//! Seats study through the ledger like everyone: a roll call is put on every seat's study
//! session as its check (`ledger::roll_call`) inside the heartbeat writer's transaction, and
//! answered through the ledger there too, so that a missed one blocks crediting exactly as a
//! missed check does.

use crate::access::{AccessError, Actor, Scope, Seat};
use crate::auth::session::new_token;
use crate::error::AppError;
use crate::services::policy;
use crate::services::practice;
use crate::services::study::{apply_answer, random_u64};
use crate::services::study_writer::hands_over;
use crate::state::AppState;
use crate::storage::group_sessions::{self as store, GroupRow, RollCallRow, Schedule, SeatLine};
use crate::storage::practice::{AttemptRow, Question as PracticeQuestionRow};
use crate::storage::study::{self, CheckQuestion, Handover, Save, StudyRow};
use crate::storage::{audit, regions, Then, Tx};
use chrono::{DateTime, Utc};
use qinxue_core::api::{CheckPassed, FieldError};
use qinxue_core::group::{
    self, seat_state, AssignedTrainee, AttendanceCorrection, AttendanceRow, AttendanceSources,
    GroupFormat, GroupPracticeView, GroupSessionCreated, GroupSessionInput, GroupSessionSummary,
    GroupSessionView, GroupStatus, LectureAttendee, LectureLesson, LectureView, PaperAnswer,
    PracticePush, PresenceMark, QuestionTally, RollCallMark, RollCallStarted, RollCallView,
    SeatState, SeatView, LECTURE_MARK_SECS, MAX_REASON_CHARS, OPEN_EARLY_SECS, ROLL_CALL_ANSWER,
    ROLL_CALL_PROMPT, ROLL_CALL_WINDOW_SECS,
};
use qinxue_core::id_number::mask_id_number;
use qinxue_core::ledger::{self, LedgerConfig, LedgerError};
use qinxue_core::practice::{AnswerQuestion, Attempt, GradedAnswer};
use qinxue_core::time::local_date;
use qinxue_core::ErrorCode;
use std::collections::{BTreeSet, HashMap};

/// Why a group session is not scheduled, changed, run or corrected.
#[derive(Debug, thiserror::Error)]
pub enum GroupSessionError {
    #[error(transparent)]
    Access(#[from] AccessError),
    /// No such session in the caller's scope, or no such roll call, seat or set of it.
    #[error("not found")]
    NotFound,
    /// Fields of a schedule that break its rules.
    #[error("invalid schedule: {0:?}")]
    Invalid(Vec<FieldError>),
    /// A schedule naming what is outside the office admin's reach.
    #[error("schedule refused: {0:?}")]
    Schedule(Vec<ScheduleProblem>),
    #[error("session started")]
    SessionStarted,
    #[error("room not open")]
    RoomNotOpen,
    #[error("room closed")]
    RoomClosed,
    #[error("roll call open")]
    RollCallOpen,
    /// The roll call is over (or a later one has begun).
    #[error("roll call expired")]
    CheckExpired,
    #[error("wrong answer")]
    WrongAnswer,
    /// The seat's study session has ended.
    #[error("study session ended")]
    SessionEnded,
    /// A lecture's mark given already, the other way.
    #[error("marked already")]
    AlreadyMarked,
    /// A correction whose reason or time the rules refuse.
    #[error("correction refused: {0:?}")]
    Correction(Vec<CorrectionProblem>),
    #[error("session not closed")]
    NotClosed,
    /// A correction for someone outside the session's region.
    #[error("trainee outside the region")]
    TraineeOutside,
    /// A lecture's action asked of a computer-room session.
    #[error("not a lecture")]
    NotLecture,
    /// A lecture lesson that is not one of the session's course.
    #[error("lesson not of the course")]
    LessonNotOfCourse,
    /// A practice push that the course's questions do not allow.
    #[error("practice push refused: {0:?}")]
    Push(PushProblem),
    /// No practice set has been pushed yet.
    #[error("no practice pushed")]
    NoPractice,
    #[error("no policy year")]
    NoPolicyYear,
    /// An answer to a pushed set that the practice rules refuse.
    #[error(transparent)]
    Practice(#[from] crate::services::practice::PracticeError),
    /// The person named to a roll call or a pushed set is not admitted to the session (the
    /// seats' own admission).
    #[error(transparent)]
    Seat(#[from] crate::services::seats::SeatError),
    /// A fault of the layers below, or their refusal (database, writers, practice).
    #[error(transparent)]
    Fault(#[from] AppError),
}

impl From<sqlx::Error> for GroupSessionError {
    fn from(e: sqlx::Error) -> Self {
        GroupSessionError::Fault(e.into())
    }
}

/// What of a schedule is outside the office admin's reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleProblem {
    /// The region is not in their subtree (or does not exist).
    RegionOutside,
    CourseUnpublished,
    /// No proctor of that login inside their subtree.
    UnknownProctor,
    /// A named trainee (this id) who is not of the session's region.
    TraineeOutside(i64),
}

/// What the rules refuse in an attendance correction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorrectionProblem {
    NoReason,
    ReasonTooLong,
    /// Negative, or longer than the session.
    CreditOutOfRange,
}

/// Why a practice set is not pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushProblem {
    /// The course has no questions.
    NoQuestions,
    NoneChosen,
    Repeated,
    /// A question of another course.
    NotOfCourse,
}

/// How many times a new room code is drawn when one is taken already.
const CODE_TRIES: usize = 5;

pub(crate) fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// Checks a schedule against the office admin's scope and turns it into what is stored.
async fn schedule(
    state: &AppState,
    user_region: Option<&str>,
    scope: &Scope,
    input: &GroupSessionInput,
) -> Result<Schedule, GroupSessionError> {
    let now = state.clock.now();
    input.validate(now).map_err(GroupSessionError::Invalid)?;
    let mut conn = state.db.read().await?;
    let mut errors = Vec::new();
    let region_code = input
        .region_code
        .clone()
        .or_else(|| user_region.map(str::to_owned))
        .unwrap_or_default();
    let region_scope = match store::region_path(&mut conn, &region_code).await? {
        Some(path) => scope.subtree(&path),
        None => None,
    };
    if region_scope.is_none() {
        errors.push(ScheduleProblem::RegionOutside);
    }
    if store::published_course(&mut conn, input.course_id)
        .await?
        .is_none()
    {
        errors.push(ScheduleProblem::CourseUnpublished);
    }
    let proctor = store::find_proctor(&mut conn, input.proctor_login.trim()).await?;
    let proctor_id = match proctor {
        Some((id, path)) if scope.contains_region(&path) => Some(id),
        _ => None,
    };
    if proctor_id.is_none() && !input.proctor_login.trim().is_empty() {
        errors.push(ScheduleProblem::UnknownProctor);
    }
    if let (Some(ids), Some(region_scope)) = (&input.trainee_ids, &region_scope) {
        let found: BTreeSet<i64> = store::trainees_in(&mut conn, ids, region_scope)
            .await?
            .into_iter()
            .collect();
        if let Some(missing) = ids.iter().find(|id| !found.contains(id)) {
            errors.push(ScheduleProblem::TraineeOutside(*missing));
        }
    }
    if !errors.is_empty() {
        return Err(GroupSessionError::Schedule(errors));
    }
    drop(conn);
    let year = policy::in_force(state, input.starts_at).await?.year;
    Ok(Schedule {
        title: input.title.trim().to_owned(),
        room: input.room.trim().to_owned(),
        region_code,
        starts_at: input.starts_at.timestamp(),
        ends_at: input.ends_at.timestamp(),
        year,
        capacity: i64::from(input.capacity),
        course_id: input.course_id,
        proctor_id: proctor_id.unwrap_or_default(),
        format: input.format,
        trainee_ids: input.trainee_ids.clone(),
    })
}

/// An office admin schedules a session in their region's subtree.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: GroupSessionInput,
) -> Result<GroupSessionCreated, GroupSessionError> {
    let (user, scope) = actor.office_admin()?;
    let s = schedule(state, user.region_code.as_deref(), &scope, &input).await?;
    let (by, now) = (user.id, state.clock.now_secs());
    for _ in 0..CODE_TRIES {
        let code = group::room_code_from_draw(random_u64()?);
        let s = s.clone();
        let inserted = state
            .db
            .write(move |c| {
                Box::pin(async move {
                    let id = match store::insert(&mut *c, &s, &code, by, now).await {
                        Ok(id) => id,
                        Err(e) if crate::error::unique_violation(&e).is_some() => return Ok(None),
                        Err(e) => return Err(e.into()),
                    };
                    let detail = format!("{} {}", s.title, code);
                    audit::record(
                        c,
                        now,
                        Some(by),
                        "group_session.create",
                        &target(id),
                        &detail,
                    )
                    .await?;
                    Ok(Some(GroupSessionCreated { id, code }))
                })
            })
            .await?;
        if let Some(created) = inserted {
            return Ok(created);
        }
    }
    Err(AppError::Internal("no free room code".into()).into())
}

fn target(id: i64) -> String {
    format!("group_session:{id}")
}

/// A session inside the scope, or 404.
async fn find(state: &AppState, id: i64, scope: &Scope) -> Result<GroupRow, GroupSessionError> {
    let mut conn = state.db.read().await?;
    store::get_in(&mut conn, id, scope)
        .await?
        .ok_or(GroupSessionError::NotFound)
}

/// The office admin changes a session that has not started.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: i64,
    input: GroupSessionInput,
) -> Result<GroupSessionView, GroupSessionError> {
    let (user, scope) = actor.office_admin()?;
    let g = find(state, id, &scope).await?;
    let s = schedule(state, user.region_code.as_deref(), &scope, &input).await?;
    let (by, now) = (user.id, state.clock.now_secs());
    if g.status != GroupStatus::Scheduled || g.starts_at <= now {
        return Err(GroupSessionError::SessionStarted);
    }
    let changed = state
        .db
        .write(move |c| {
            Box::pin(async move {
                if !store::update_scheduled(&mut *c, id, &s, now).await? {
                    return Ok(false);
                }
                audit::record(
                    c,
                    now,
                    Some(by),
                    "group_session.update",
                    &target(id),
                    &s.title,
                )
                .await?;
                Ok(true)
            })
        })
        .await?;
    if !changed {
        return Err(GroupSessionError::SessionStarted);
    }
    state.rooms.changed(id);
    view(state, actor, id).await
}

/// The office admin calls off a session that has not started.
pub async fn cancel(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<GroupSessionView, GroupSessionError> {
    let (user, scope) = actor.office_admin()?;
    find(state, id, &scope).await?;
    let (by, now) = (user.id, state.clock.now_secs());
    let cancelled = state
        .db
        .write(move |c| {
            Box::pin(async move {
                if !store::cancel_scheduled(&mut *c, id, now).await? {
                    return Ok(false);
                }
                audit::record(c, now, Some(by), "group_session.cancel", &target(id), "").await?;
                Ok(true)
            })
        })
        .await?;
    if !cancelled {
        return Err(GroupSessionError::SessionStarted);
    }
    state.rooms.changed(id);
    view(state, actor, id).await
}

fn summary(g: &GroupRow, assigned: i64, regions: &[regions::RegionRow]) -> GroupSessionSummary {
    GroupSessionSummary {
        id: g.id,
        code: g.code.clone(),
        title: g.title.clone(),
        room: g.room.clone(),
        region_code: g.region_code.clone(),
        region_name: regions::full_name(regions, &g.region_code),
        starts_at: at(g.starts_at),
        ends_at: at(g.ends_at),
        capacity: u32::try_from(g.capacity).unwrap_or_default(),
        course_id: g.course_id,
        course_title: g.course_title.clone(),
        proctor_login: g.proctor_login.clone(),
        proctor_name: g.proctor_name.clone(),
        format: g.format,
        status: g.status,
        open_to_region: g.open_to_region,
        assigned: u32::try_from(assigned).unwrap_or_default(),
    }
}

/// The sessions an office admin's subtree holds, or those a proctor runs.
pub async fn list(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<GroupSessionSummary>, GroupSessionError> {
    let scope = actor.group_sessions()?;
    let mut conn = state.db.read().await?;
    let regions = regions::list(&mut conn).await?;
    let rows = store::list_in(&mut conn, &scope).await?;
    Ok(rows.iter().map(|(g, n)| summary(g, *n, &regions)).collect())
}

/// A trainee's coming sessions (their home page): assigned to them, or open to their region.
pub async fn upcoming(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<GroupSessionSummary>, GroupSessionError> {
    let user = actor.trainee()?;
    let mut conn = state.db.read().await?;
    let regions = regions::list(&mut conn).await?;
    let rows = store::upcoming_for(&mut conn, user.id, state.clock.now_secs()).await?;
    Ok(rows.iter().map(|g| summary(g, 0, &regions)).collect())
}

/// What a person did with a roll call: none when they had no seat during its window.
fn mark_of(
    rc: &RollCallRow,
    user_id: i64,
    spans: &[(i64, i64, Option<i64>)],
    marked: &HashMap<(i64, i64), bool>,
    now: i64,
) -> Option<RollCallMark> {
    let seated = spans.iter().any(|(u, from, to)| {
        *u == user_id && *from <= rc.expires_at && to.is_none_or(|t| t >= rc.started_at)
    });
    if !seated {
        return None;
    }
    Some(match marked.get(&(rc.id, user_id)) {
        Some(true) => RollCallMark::Answered,
        _ if now <= rc.expires_at => RollCallMark::Pending,
        _ => RollCallMark::Missed,
    })
}

fn seat_view(
    line: &SeatLine,
    latest: Option<&RollCallRow>,
    spans: &[(i64, i64, Option<i64>)],
    marked: &HashMap<(i64, i64), bool>,
    now: i64,
) -> SeatView {
    let last_seen = [
        Some(line.signed_in_at),
        Some(line.seen_at),
        line.last_beat,
        line.study.as_ref().map(|s| s.last_beat.max(s.started_at)),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(line.signed_in_at);
    let earning = line
        .study
        .as_ref()
        .is_some_and(|s| !s.blocked && !s.inactive);
    let state = seat_state(line.left_at.is_some(), last_seen, now, earning);
    let roll_call = latest.and_then(|rc| mark_of(rc, line.user_id, spans, marked, now));
    SeatView {
        trainee_id: line.user_id,
        name: line.name.clone(),
        id_number: mask_id_number(&line.id_number),
        lesson_id: line.study.as_ref().map(|s| s.lesson_id),
        lesson_title: line.study.as_ref().map(|s| s.lesson_title.clone()),
        credited_secs: line.credited_secs,
        state,
        last_seen_at: at(last_seen),
        silent_secs: if state == SeatState::Left {
            0
        } else {
            (now - last_seen).max(0)
        },
        roll_call,
        signed_in_at: at(line.signed_in_at),
        by_proctor: line.by_proctor,
        left_at: line.left_at.map(at),
        left_reason: line.left_reason,
    }
}

/// Each person's attendance, from the seats, study sessions, roll calls and corrections.
async fn attendance(
    conn: &mut sqlx::AnyConnection,
    g: &GroupRow,
    spans: &[(i64, i64, Option<i64>)],
    roll_calls: &[RollCallRow],
    marks: &[(i64, i64, bool)],
    now: i64,
) -> Result<Vec<AttendanceRow>, GroupSessionError> {
    let credits = store::credits(&mut *conn, g.id).await?;
    let ids: Vec<i64> = credits.iter().map(|c| c.0).collect();
    let people: HashMap<i64, (String, String)> = store::people(&mut *conn, &ids)
        .await?
        .into_iter()
        .map(|(id, name, id_number)| (id, (name, id_number)))
        .collect();
    let marked: HashMap<(i64, i64), bool> =
        marks.iter().map(|(rc, u, p)| ((*rc, *u), *p)).collect();
    let mut rows: Vec<AttendanceRow> = credits
        .into_iter()
        .map(|(user_id, seat, lecture, correction)| {
            let mine: Vec<_> = spans.iter().filter(|s| s.0 == user_id).collect();
            let present_at: Vec<i64> = roll_calls
                .iter()
                .filter(|rc| marked.get(&(rc.id, user_id)) == Some(&true))
                .map(|rc| rc.started_at)
                .collect();
            let first_seen = mine
                .iter()
                .map(|s| s.1)
                .chain(present_at.iter().copied())
                .min();
            let last_seen = mine
                .iter()
                .map(|s| s.2.unwrap_or(now))
                .chain(present_at.iter().copied())
                .max();
            let (mut answered, mut missed) = (0, 0);
            for rc in roll_calls {
                let mark = match g.format {
                    GroupFormat::Seats => mark_of(rc, user_id, spans, &marked, now),
                    GroupFormat::Lecture => match marked.get(&(rc.id, user_id)) {
                        Some(true) => Some(RollCallMark::Answered),
                        Some(false) => Some(RollCallMark::Missed),
                        None => None,
                    },
                };
                match mark {
                    Some(RollCallMark::Answered) => answered += 1,
                    Some(RollCallMark::Missed) => missed += 1,
                    _ => {}
                }
            }
            let (name, id_number) = people.get(&user_id).cloned().unwrap_or_default();
            let by_source = AttendanceSources {
                seat,
                lecture,
                correction,
            };
            AttendanceRow {
                trainee_id: user_id,
                name,
                id_number: mask_id_number(&id_number),
                credited_secs: seat + lecture + correction,
                by_source,
                first_seen_at: first_seen.map(at),
                last_seen_at: last_seen.map(at),
                roll_calls_answered: answered,
                roll_calls_missed: missed,
            }
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name).then(a.trainee_id.cmp(&b.trainee_id)));
    Ok(rows)
}

/// The whole view of a session the caller may see.
async fn build(state: &AppState, g: GroupRow) -> Result<GroupSessionView, GroupSessionError> {
    let now = state.clock.now_secs();
    let mut conn = state.db.read().await?;
    let regions = regions::list(&mut conn).await?;
    let assigned = store::assigned(&mut conn, g.id).await?;
    let mut trainees: Vec<AssignedTrainee> = store::people(&mut conn, &assigned)
        .await?
        .into_iter()
        .map(|(trainee_id, name, id_number)| AssignedTrainee {
            trainee_id,
            name,
            id_number: mask_id_number(&id_number),
        })
        .collect();
    trainees.sort_by(|a, b| a.name.cmp(&b.name).then(a.trainee_id.cmp(&b.trainee_id)));
    let roll_calls = store::roll_calls(&mut conn, g.id).await?;
    let marks = store::marks(&mut conn, g.id).await?;
    let spans = store::seat_spans(&mut conn, g.id).await?;
    let lines = store::seat_lines(&mut conn, g.id).await?;
    let marked: HashMap<(i64, i64), bool> =
        marks.iter().map(|(rc, u, p)| ((*rc, *u), *p)).collect();
    let latest = roll_calls.last();
    let mut seats: Vec<SeatView> = lines
        .iter()
        .map(|l| seat_view(l, latest, &spans, &marked, now))
        .collect();
    seats.sort_by(|a, b| {
        a.trouble_rank()
            .cmp(&b.trouble_rank())
            .then_with(|| a.name.cmp(&b.name))
            .then(a.trainee_id.cmp(&b.trainee_id))
    });
    let attendance = match g.status {
        GroupStatus::Closed => {
            Some(attendance(&mut conn, &g, &spans, &roll_calls, &marks, now).await?)
        }
        _ => None,
    };
    let lecture = match g.format {
        GroupFormat::Lecture => Some(lecture_view(&mut conn, &g, latest, &marks).await?),
        GroupFormat::Seats => None,
    };
    let practice = practice_view(&mut conn, &g).await?;
    Ok(GroupSessionView {
        id: g.id,
        code: g.code.clone(),
        title: g.title.clone(),
        room: g.room.clone(),
        region_name: regions::full_name(&regions, &g.region_code),
        region_code: g.region_code.clone(),
        starts_at: at(g.starts_at),
        ends_at: at(g.ends_at),
        capacity: u32::try_from(g.capacity).unwrap_or_default(),
        course_id: g.course_id,
        course_title: g.course_title.clone(),
        proctor_login: g.proctor_login.clone(),
        proctor_name: g.proctor_name.clone(),
        format: g.format,
        status: g.status,
        open_to_region: g.open_to_region,
        trainee_ids: assigned,
        trainees,
        pin: g.pin.clone().filter(|_| g.status == GroupStatus::Open),
        opened_at: g.opened_at.map(at),
        closed_at: g.closed_at.map(at),
        roll_call: latest.map(|rc| RollCallView {
            id: rc.id,
            started_at: at(rc.started_at),
            expires_at: at(rc.expires_at),
            by_server: rc.started_by.is_none(),
        }),
        now: at(now),
        seats,
        attendance,
        lecture,
        practice,
    })
}

/// The session's current practice set and the room's answers to it, per question in order.
async fn practice_view(
    conn: &mut sqlx::AnyConnection,
    g: &GroupRow,
) -> Result<Option<GroupPracticeView>, GroupSessionError> {
    let Some((practice_id, ids, started_at)) = store::latest_practice(&mut *conn, g.id).await?
    else {
        return Ok(None);
    };
    let questions = crate::storage::practice::questions(&mut *conn, g.course_id).await?;
    let tallies: HashMap<i64, (i64, i64)> = store::practice_tallies(&mut *conn, practice_id)
        .await?
        .into_iter()
        .map(|(q, answered, right)| (q, (answered, right)))
        .collect();
    let count = |n: i64| u32::try_from(n).unwrap_or_default();
    Ok(Some(GroupPracticeView {
        id: practice_id,
        started_at: at(started_at),
        questions: ids
            .iter()
            .map(|qid| {
                let (answered, right) = tallies.get(qid).copied().unwrap_or_default();
                QuestionTally {
                    question_id: *qid,
                    stem: questions
                        .iter()
                        .find(|q| q.id == *qid)
                        .map(|q| q.stem.clone())
                        .unwrap_or_default(),
                    answered: count(answered),
                    right: count(right),
                    wrong: count(answered - right),
                }
            })
            .collect(),
    }))
}

/// A lecture's lesson and attendees (assigned or marked), by name.
async fn lecture_view(
    conn: &mut sqlx::AnyConnection,
    g: &GroupRow,
    latest: Option<&RollCallRow>,
    marks: &[(i64, i64, bool)],
) -> Result<LectureView, GroupSessionError> {
    let credits = store::credits(&mut *conn, g.id).await?;
    let ids: Vec<i64> = credits.iter().map(|c| c.0).collect();
    let people: HashMap<i64, (String, String)> = store::people(&mut *conn, &ids)
        .await?
        .into_iter()
        .map(|(id, name, id_number)| (id, (name, id_number)))
        .collect();
    let mut attendees: Vec<LectureAttendee> = credits
        .into_iter()
        .map(|(user_id, _, lecture, _)| {
            let (name, id_number) = people.get(&user_id).cloned().unwrap_or_default();
            let mine = marks.iter().filter(|m| m.1 == user_id);
            LectureAttendee {
                trainee_id: user_id,
                name,
                id_number: mask_id_number(&id_number),
                present: latest.and_then(|rc| {
                    marks
                        .iter()
                        .find(|m| m.0 == rc.id && m.1 == user_id)
                        .map(|m| m.2)
                }),
                present_count: u32::try_from(mine.filter(|m| m.2).count()).unwrap_or_default(),
                credited_secs: lecture,
            }
        })
        .collect();
    attendees.sort_by(|a, b| a.name.cmp(&b.name).then(a.trainee_id.cmp(&b.trainee_id)));
    let lesson_title = match g.lecture_lesson_id {
        Some(l) => store::lesson_title(&mut *conn, l).await?,
        None => None,
    };
    Ok(LectureView {
        lesson_id: g.lecture_lesson_id,
        lesson_title,
        attendees,
    })
}

/// `GET /api/group-sessions/{id}`: its office admin or its proctor.
pub async fn view(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<GroupSessionView, GroupSessionError> {
    let scope = actor.group_sessions()?;
    let g = find(state, id, &scope).await?;
    build(state, g).await
}

/// The view for a console's event stream; none once the session is out of reach.
pub async fn watched(
    state: &AppState,
    scope: &Scope,
    id: i64,
) -> Result<Option<GroupSessionView>, GroupSessionError> {
    let g = {
        let mut conn = state.db.read().await?;
        store::get_in(&mut conn, id, scope).await?
    };
    match g {
        Some(g) => Ok(Some(build(state, g).await?)),
        None => Ok(None),
    }
}

/// The session's state refuses a proctor's action: why.
fn not_running(g: &GroupRow) -> GroupSessionError {
    match g.status {
        GroupStatus::Scheduled => GroupSessionError::RoomNotOpen,
        _ => GroupSessionError::RoomClosed,
    }
}

/// Its proctor opens the session (from half an hour before its start): seats may sign in
/// with the new PIN, and the server's random roll calls begin.
pub async fn open(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<GroupSessionView, GroupSessionError> {
    let (user, scope) = actor.proctor()?;
    let g = find(state, id, &scope).await?;
    let now = state.clock.now_secs();
    match g.status {
        GroupStatus::Open => return build(state, g).await,
        GroupStatus::Scheduled if now >= g.ends_at => return Err(GroupSessionError::RoomClosed),
        GroupStatus::Scheduled if now < g.starts_at - OPEN_EARLY_SECS => {
            return Err(GroupSessionError::RoomNotOpen)
        }
        GroupStatus::Scheduled => {}
        _ => return Err(GroupSessionError::RoomClosed),
    }
    let pin = group::pin_from_draw(random_u64()?);
    // Random roll calls for both formats: seats answer them, a lecture's console is prompted
    // to mark the room.
    let next = Some(now + state.ledger.check_delay(random_u64()?));
    let (by, lecture) = (user.id, g.format == GroupFormat::Lecture);
    let opened = state
        .db
        .write(move |c| {
            Box::pin(async move {
                if !store::open(&mut *c, id, &pin, next, now).await? {
                    return Ok(false);
                }
                if lecture {
                    store::set_lecture_lesson(&mut *c, id, None).await?;
                }
                audit::record(c, now, Some(by), "group_session.open", &target(id), "").await?;
                Ok(true)
            })
        })
        .await?;
    if !opened {
        return Err(GroupSessionError::RoomClosed);
    }
    state.rooms.changed(id);
    view(state, actor, id).await
}

/// Its proctor asks for a new PIN (the old one no longer signs anyone in).
pub async fn new_pin(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<GroupSessionView, GroupSessionError> {
    let (user, scope) = actor.proctor()?;
    let g = find(state, id, &scope).await?;
    if g.status != GroupStatus::Open {
        return Err(not_running(&g));
    }
    let (pin, by, now) = (
        group::pin_from_draw(random_u64()?),
        user.id,
        state.clock.now_secs(),
    );
    state
        .db
        .write(move |c| {
            Box::pin(async move {
                store::set_pin(&mut *c, id, &pin, now).await?;
                audit::record(c, now, Some(by), "group_session.pin", &target(id), "").await?;
                Ok(())
            })
        })
        .await?;
    state.rooms.changed(id);
    view(state, actor, id).await
}

/// Closes an open session in the heartbeat writer: every seat is signed out and its study
/// session ended (its last credit handed over). False when it was not open.
pub(crate) async fn close_now(
    state: &AppState,
    id: i64,
    by: Option<i64>,
) -> Result<bool, GroupSessionError> {
    let now = state.clock.now_secs();
    let closed = state
        .study
        .run(move |tx| {
            Box::pin(async move {
                if !store::close_tx(tx, id, now).await? {
                    return Ok((false, Vec::new()));
                }
                let ended = store::end_seat_studies(tx, id, None, "room_closed", now).await?;
                let detail = if by.is_some() { "" } else { "at its end" };
                store::audit_tx(tx, now, by, "group_session.close", &target(id), detail).await?;
                Ok((true, ended))
            })
        })
        .await?;
    state.rooms.changed(id);
    Ok(closed)
}

/// Its proctor closes the session: the answer holds the attendance.
pub async fn close(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<GroupSessionView, GroupSessionError> {
    let (user, scope) = actor.proctor()?;
    let g = find(state, id, &scope).await?;
    match g.status {
        GroupStatus::Open => {
            close_now(state, id, Some(user.id)).await?;
        }
        GroupStatus::Closed => {}
        _ => return Err(not_running(&g)),
    }
    view(state, actor, id).await
}

/// A roll call's question on one seat's study session.
fn roll_call_question(roll_call_id: i64) -> Result<CheckQuestion, AppError> {
    let (_, random) = new_token()?;
    Ok(CheckQuestion {
        id: format!("rc{roll_call_id}-{}", &random[..16]),
        prompt: ROLL_CALL_PROMPT.to_owned(),
        options: vec![ROLL_CALL_ANSWER.to_owned()],
        answer: ROLL_CALL_ANSWER.to_owned(),
    })
}

/// The roll call a check id names, if it is one (`rc<id>-…`).
pub fn roll_call_of_check(check_id: &str) -> Option<i64> {
    check_id.strip_prefix("rc")?.split_once('-')?.0.parse().ok()
}

/// Loads study sessions in the writer's transaction, handing over what their ended days owe
/// (their rows are written back with today's figures).
async fn load(tx: &mut Tx, ids: &[i64], now: i64) -> Result<Vec<StudyRow>, AppError> {
    let loaded = study::load_many(tx, ids, local_date(at(now))).await?;
    study::hand_over(tx, &[], &loaded.ended_days, now).await?;
    Ok(loaded.rows.into_values().collect())
}

/// Starts a roll call in the writer: every live seat's study session gets it as its check.
/// Answers its id and expiry.
pub(crate) async fn start_roll_call(
    state: &AppState,
    g: &GroupRow,
    by: Option<i64>,
) -> Result<RollCallStarted, GroupSessionError> {
    let now = state.clock.now_secs();
    let (id, seats) = (g.id, g.format == GroupFormat::Seats);
    let window = if seats {
        ROLL_CALL_WINDOW_SECS
    } else {
        LECTURE_MARK_SECS
    };
    let expires_at = now + window;
    let next = now + window + state.ledger.check_delay(random_u64()?);
    let lesson = g.lecture_lesson_id;
    let started = state
        .study
        .run(move |tx| {
            Box::pin(async move {
                let latest = store::latest_roll_call_tx(tx, id).await?;
                if latest.is_some_and(|rc| now <= rc.expires_at) {
                    return Ok((None, Vec::new()));
                }
                let rc = store::insert_roll_call(tx, id, by, lesson, now, expires_at, Some(next))
                    .await?;
                store::audit_tx(tx, now, by, "group_session.roll_call", &target(id), "").await?;
                if !seats {
                    return Ok((Some(rc), Vec::new()));
                }
                let ids = store::live_seat_studies(tx, id, None).await?;
                let mut rows = load(tx, &ids, now).await?;
                for row in &mut rows {
                    ledger::roll_call(&mut row.session, now, expires_at)
                        .map_err(|_| AppError::from(GroupSessionError::SessionEnded))?;
                    row.question = Some(roll_call_question(rc)?);
                }
                let refs: Vec<&StudyRow> = rows.iter().collect();
                study::save(tx, &refs, Save::Full, now, Then::More).await?;
                Ok((Some(rc), ids))
            })
        })
        .await?
        .ok_or(GroupSessionError::RollCallOpen)?;
    state.rooms.changed(id);
    Ok(RollCallStarted {
        id: started,
        expires_at: at(expires_at),
    })
}

/// Its proctor starts a roll call.
pub async fn roll_call(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<RollCallStarted, GroupSessionError> {
    let (user, scope) = actor.proctor()?;
    let g = find(state, id, &scope).await?;
    if g.status != GroupStatus::Open {
        return Err(not_running(&g));
    }
    start_roll_call(state, &g, Some(user.id)).await
}

/// Marks a person present at a roll call in the writer, answering it on their seat's study
/// session through the ledger (which releases what it held, or unblocks). `by`: the proctor
/// who ticked them, none when they answered at the seat with `given`.
pub(crate) async fn answer_roll_call(
    state: &AppState,
    id: i64,
    roll_call_id: i64,
    user_id: i64,
    by: Option<i64>,
    given: String,
) -> Result<CheckPassed, GroupSessionError> {
    let now = state.clock.now_secs();
    let cfg: LedgerConfig = state.ledger;
    let draw = random_u64()?;
    let passed = state
        .study
        .run(move |tx| {
            Box::pin(async move {
                let rc = store::roll_call_tx(tx, id, roll_call_id)
                    .await?
                    .ok_or(GroupSessionError::NotFound)?;
                if now > rc.expires_at {
                    return Err(GroupSessionError::CheckExpired.into());
                }
                if store::has_mark(tx, roll_call_id, user_id).await? {
                    let nothing = CheckPassed {
                        credited_secs: 0,
                        lesson_credited_secs: 0,
                    };
                    return Ok((Ok(nothing), Vec::new()));
                }
                let ids = store::live_seat_studies(tx, id, Some(user_id)).await?;
                let mut rows = load(tx, &ids, now).await?;
                let prefix = format!("rc{roll_call_id}-");
                let mut passed = CheckPassed {
                    credited_secs: 0,
                    lesson_credited_secs: 0,
                };
                for row in &mut rows {
                    let Some(check_id) = row
                        .question
                        .as_ref()
                        .map(|q| q.id.clone())
                        .filter(|q| q.starts_with(&prefix))
                    else {
                        continue;
                    };
                    match apply_answer(row, &check_id, &given, at(now), &cfg, draw)? {
                        Ok(o) if o.correct => {
                            passed = CheckPassed {
                                credited_secs: o.credited_secs,
                                lesson_credited_secs: row.lesson.credited_secs,
                            };
                        }
                        Ok(_) => {
                            // A wrong answer fails the roll call, as it fails a check.
                            save_answered(tx, row, now).await?;
                            return Ok((Err(GroupSessionError::WrongAnswer), ids));
                        }
                        Err(LedgerError::CheckExpired) => {
                            return Err(GroupSessionError::CheckExpired.into());
                        }
                        Err(_) => return Err(GroupSessionError::SessionEnded.into()),
                    }
                    save_answered(tx, row, now).await?;
                }
                store::mark(tx, roll_call_id, user_id, true, by, 0, now).await?;
                if by.is_some() {
                    let detail = format!("user:{user_id}");
                    store::audit_tx(tx, now, by, "group_session.tick", &target(id), &detail)
                        .await?;
                }
                Ok((Ok(passed), ids))
            })
        })
        .await;
    state.rooms.changed(id);
    passed?
}

/// Writes back a seat's study session after an answer, and what it hands over.
async fn save_answered(tx: &mut Tx, row: &mut StudyRow, now: i64) -> Result<(), AppError> {
    study::save(tx, &[&*row], Save::Full, now, Then::More).await?;
    if hands_over(row) {
        study::hand_over(tx, &[Handover::from(&*row)], &[], now).await?;
    }
    Ok(())
}

/// Its proctor ticks a person present at the running roll call (someone who cannot use the
/// seat's button).
pub async fn tick(
    state: &AppState,
    actor: &Actor,
    id: i64,
    roll_call_id: i64,
    trainee_id: i64,
) -> Result<GroupSessionView, GroupSessionError> {
    let (user, scope) = actor.proctor()?;
    let g = find(state, id, &scope).await?;
    if g.status != GroupStatus::Open {
        return Err(not_running(&g));
    }
    // Only someone seated in the session can be ticked.
    let seated = {
        let mut conn = state.db.read().await?;
        store::seat_spans(&mut conn, id)
            .await?
            .iter()
            .any(|s| s.0 == trainee_id)
    };
    if !seated {
        return Err(GroupSessionError::NotFound);
    }
    answer_roll_call(
        state,
        id,
        roll_call_id,
        trainee_id,
        Some(user.id),
        ROLL_CALL_ANSWER.to_owned(),
    )
    .await?;
    view(state, actor, id).await
}

/// The office admin corrects a person's credited time in a closed session, with a reason.
pub async fn correct(
    state: &AppState,
    actor: &Actor,
    id: i64,
    c: AttendanceCorrection,
) -> Result<GroupSessionView, GroupSessionError> {
    let (user, scope) = actor.office_admin()?;
    let g = find(state, id, &scope).await?;
    let reason = c.reason.trim().to_owned();
    let mut errors = Vec::new();
    if reason.is_empty() {
        errors.push(CorrectionProblem::NoReason);
    } else if reason.chars().count() > MAX_REASON_CHARS {
        errors.push(CorrectionProblem::ReasonTooLong);
    }
    if !(0..=g.ends_at - g.starts_at).contains(&c.credited_secs) {
        errors.push(CorrectionProblem::CreditOutOfRange);
    }
    if !errors.is_empty() {
        return Err(GroupSessionError::Correction(errors));
    }
    if g.status != GroupStatus::Closed {
        return Err(GroupSessionError::NotClosed);
    }
    let current = {
        let mut conn = state.db.read().await?;
        let region = scope
            .subtree(&g.region_path)
            .ok_or(GroupSessionError::NotFound)?;
        if store::trainees_in(&mut conn, &[c.trainee_id], &region)
            .await?
            .is_empty()
        {
            return Err(GroupSessionError::TraineeOutside);
        }
        store::credits(&mut conn, id)
            .await?
            .into_iter()
            .find(|r| r.0 == c.trainee_id)
            .map_or(0, |(_, s, l, k)| s + l + k)
    };
    let delta = c.credited_secs - current;
    let (by, now, who) = (user.id, state.clock.now_secs(), c.trainee_id);
    state
        .db
        .write(move |conn| {
            Box::pin(async move {
                store::correct(&mut *conn, id, who, delta, &reason, by, now).await?;
                let detail = format!("user:{who} {current}s -> {}s: {reason}", current + delta);
                audit::record(
                    conn,
                    now,
                    Some(by),
                    "group_session.correct",
                    &target(id),
                    &detail,
                )
                .await?;
                Ok(())
            })
        })
        .await?;
    state.rooms.changed(id);
    view(state, actor, id).await
}

/// A proctor's action that only a lecture has.
fn lecture_only(g: &GroupRow) -> Result<(), GroupSessionError> {
    if g.format != GroupFormat::Lecture {
        return Err(GroupSessionError::NotLecture);
    }
    Ok(())
}

/// Its proctor chooses the lesson of the course played on the projector (a lecture).
pub async fn set_lecture(
    state: &AppState,
    actor: &Actor,
    id: i64,
    req: LectureLesson,
) -> Result<GroupSessionView, GroupSessionError> {
    let (user, scope) = actor.proctor()?;
    let g = find(state, id, &scope).await?;
    lecture_only(&g)?;
    {
        let mut conn = state.db.read().await?;
        crate::storage::catalogue::lesson(&mut conn, req.lesson_id)
            .await?
            .filter(|l| l.course_id == g.course_id)
            .ok_or(GroupSessionError::LessonNotOfCourse)?;
    }
    if !matches!(g.status, GroupStatus::Open | GroupStatus::Scheduled) {
        return Err(not_running(&g));
    }
    let (by, now, lesson) = (user.id, state.clock.now_secs(), req.lesson_id);
    let set = state
        .db
        .write(move |c| {
            Box::pin(async move {
                if !store::set_lecture_lesson(&mut *c, id, Some(lesson)).await? {
                    return Ok(false);
                }
                let detail = format!("lesson:{lesson}");
                audit::record(
                    c,
                    now,
                    Some(by),
                    "group_session.lecture",
                    &target(id),
                    &detail,
                )
                .await?;
                Ok(true)
            })
        })
        .await?;
    if !set {
        return Err(GroupSessionError::RoomClosed);
    }
    state.rooms.changed(id);
    view(state, actor, id).await
}

/// At a lecture's latest roll call, its proctor marks a person present or absent. Present at
/// this roll call and the one before, they are credited the time between the two on the
/// lesson played, through the ledger's crediting (within the lesson's nominal duration and
/// the daily cap; `ledger::credit_presence`): their live study sessions elsewhere end first,
/// since one person studies in one place. A mark is final (the office corrects after closing).
pub async fn mark_presence(
    state: &AppState,
    actor: &Actor,
    id: i64,
    roll_call_id: i64,
    req: PresenceMark,
) -> Result<GroupSessionView, GroupSessionError> {
    let (user, scope) = actor.proctor()?;
    let g = find(state, id, &scope).await?;
    lecture_only(&g)?;
    if g.status != GroupStatus::Open {
        return Err(not_running(&g));
    }
    let (user_id, unit_path) =
        crate::services::seats::named_person(state, req.trainee_id, req.id_number.as_deref())
            .await?;
    // The daily cap is the session's policy year's.
    let rules = {
        let mut conn = state.db.read().await?;
        crate::services::seats::admit(&mut conn, &g, user_id, unit_path).await?;
        crate::storage::policy_years::get(&mut conn, g.year)
            .await?
            .ok_or(GroupSessionError::NoPolicyYear)?
            .ledger_rules()
    };
    let (by, now, present, year) = (user.id, state.clock.now_secs(), req.present, g.year);
    let cfg: LedgerConfig = state.ledger.with_year(rules);
    state
        .study
        .run(move |tx| {
            Box::pin(async move {
                let (rc, lesson) = store::lecture_roll_call_tx(tx, id, roll_call_id)
                    .await?
                    .ok_or(GroupSessionError::NotFound)?;
                let latest = store::latest_roll_call_tx(tx, id).await?;
                if latest.is_none_or(|l| l.id != rc.id) || now > rc.expires_at {
                    return Err(GroupSessionError::CheckExpired.into());
                }
                match store::mark_tx(tx, rc.id, user_id).await? {
                    Some(was) if was == present => return Ok(((), Vec::new())),
                    Some(_) => return Err(GroupSessionError::AlreadyMarked.into()),
                    None => {}
                }
                let mut touched = Vec::new();
                let mut credited = 0;
                let previous = store::previous_roll_call_tx(tx, id, &rc).await?;
                if let (true, Some((prev_id, prev_at)), Some(lesson)) = (present, previous, lesson)
                {
                    if store::mark_tx(tx, prev_id, user_id).await? == Some(true) {
                        touched = study::end_live(tx, user_id, "lecture", now).await?;
                        let day = local_date(at(now));
                        let (mut progress, mut total) =
                            store::presence_ledger_tx(tx, user_id, lesson, year, day, now).await?;
                        credited = ledger::credit_presence(
                            rc.started_at - prev_at,
                            &mut progress,
                            &mut total,
                            &cfg,
                        );
                        let handover = Handover {
                            user_id,
                            lesson_id: lesson,
                            year: i64::from(year),
                            credited_secs: progress.credited_secs,
                            furthest_secs: progress.furthest_secs,
                            position_secs: progress.position_secs,
                            day: Some(study::day_key(day)),
                            day_credited_secs: total.credited_secs,
                        };
                        study::hand_over(tx, &[handover], &[], now).await?;
                    }
                }
                store::mark(tx, rc.id, user_id, present, Some(by), credited, now).await?;
                let detail = format!(
                    "user:{user_id} {} {credited}s",
                    if present { "present" } else { "absent" }
                );
                store::audit_tx(
                    tx,
                    now,
                    Some(by),
                    "group_session.presence",
                    &target(id),
                    &detail,
                )
                .await?;
                Ok(((), touched))
            })
        })
        .await?;
    state.rooms.changed(id);
    view(state, actor, id).await
}

/// Its proctor pushes a practice set of the session's course to every seat (all of its
/// questions, or those named, in that order): seats hear of it on their event stream and
/// answer it through the practice rules; the console sees the answers per question.
pub async fn push_practice(
    state: &AppState,
    actor: &Actor,
    id: i64,
    req: PracticePush,
) -> Result<GroupSessionView, GroupSessionError> {
    let (user, scope) = actor.proctor()?;
    let g = find(state, id, &scope).await?;
    if g.status != GroupStatus::Open {
        return Err(not_running(&g));
    }
    let course: Vec<i64> = {
        let mut conn = state.db.read().await?;
        crate::storage::practice::questions(&mut conn, g.course_id)
            .await?
            .into_iter()
            .map(|q| q.id)
            .collect()
    };
    let ids = req.question_ids.unwrap_or_else(|| course.clone());
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    let fault = if course.is_empty() {
        Some(PushProblem::NoQuestions)
    } else if ids.is_empty() {
        Some(PushProblem::NoneChosen)
    } else if unique.len() != ids.len() {
        Some(PushProblem::Repeated)
    } else if ids.iter().any(|q| !course.contains(q)) {
        Some(PushProblem::NotOfCourse)
    } else {
        None
    };
    if let Some(problem) = fault {
        return Err(GroupSessionError::Push(problem));
    }
    let (by, now) = (user.id, state.clock.now_secs());
    state
        .db
        .write(move |c| {
            Box::pin(async move {
                let practice = store::insert_practice(&mut *c, id, &ids, by, now).await?;
                let detail = format!("practice:{practice} {} questions", ids.len());
                audit::record(
                    c,
                    now,
                    Some(by),
                    "group_session.practice",
                    &target(id),
                    &detail,
                )
                .await?;
                Ok(())
            })
        })
        .await?;
    state.rooms.changed(id);
    view(state, actor, id).await
}

/// A person's attempt on a pushed set, made at their first answer or look.
async fn attempt_on(
    state: &AppState,
    practice: (i64, &[i64]),
    user_id: i64,
    course_id: i64,
) -> Result<i64, GroupSessionError> {
    let (practice_id, ids) = (practice.0, practice.1.to_vec());
    let now = state.clock.now_secs();
    state
        .db
        .write(move |c| {
            Box::pin(async move {
                if let Some(a) = store::practice_attempt_of(&mut *c, practice_id, user_id).await? {
                    return Ok(a);
                }
                let attempt = crate::storage::practice::create_attempt(
                    &mut *c, user_id, course_id, &ids, now,
                )
                .await?;
                store::link_practice_attempt(c, practice_id, user_id, attempt).await?;
                Ok(attempt)
            })
        })
        .await
        .map_err(GroupSessionError::from)
}

/// The session's current set, or why there is none.
async fn current_practice(state: &AppState, id: i64) -> Result<(i64, Vec<i64>), GroupSessionError> {
    let mut conn = state.db.read().await?;
    store::latest_practice(&mut conn, id)
        .await?
        .map(|(p, ids, _)| (p, ids))
        .ok_or(GroupSessionError::NoPractice)
}

/// Loads an attempt with its course's questions.
async fn attempt_with_questions(
    state: &AppState,
    attempt_id: i64,
    course_id: i64,
) -> Result<(AttemptRow, Vec<PracticeQuestionRow>), GroupSessionError> {
    let mut conn = state.db.read().await?;
    let row = crate::storage::practice::attempt(&mut conn, attempt_id)
        .await?
        .ok_or(GroupSessionError::NotFound)?;
    let questions = crate::storage::practice::questions(&mut conn, course_id).await?;
    Ok((row, questions))
}

/// A seat's attempt on the current set (made at its first look).
pub async fn seat_practice(state: &AppState, seat: &Seat) -> Result<Attempt, GroupSessionError> {
    let (practice, ids) = current_practice(state, seat.group_session_id).await?;
    let attempt = attempt_on(state, (practice, &ids), seat.user_id, seat.course_id).await?;
    let (row, questions) = attempt_with_questions(state, attempt, seat.course_id).await?;
    Ok(practice::attempt_view(&row, &questions))
}

/// A seat answers a question of the current set, graded by the practice rules.
pub async fn seat_answer(
    state: &AppState,
    seat: &Seat,
    req: AnswerQuestion,
) -> Result<GradedAnswer, GroupSessionError> {
    let (practice, ids) = current_practice(state, seat.group_session_id).await?;
    let attempt = attempt_on(state, (practice, &ids), seat.user_id, seat.course_id).await?;
    let (row, questions) = attempt_with_questions(state, attempt, seat.course_id).await?;
    let graded =
        practice::record_answer(state, &row, &questions, req.question_id, req.chosen).await?;
    state.rooms.changed(seat.group_session_id);
    Ok(graded)
}

/// Its proctor records an answer a person gave on paper to the current set (graded as at a
/// seat; audited). The person must be admitted to the session as for a seat.
pub async fn paper_answer(
    state: &AppState,
    actor: &Actor,
    id: i64,
    practice_id: i64,
    req: PaperAnswer,
) -> Result<GradedAnswer, GroupSessionError> {
    let (user, scope) = actor.proctor()?;
    let g = find(state, id, &scope).await?;
    let (current, ids) = current_practice(state, id).await?;
    if current != practice_id {
        return Err(GroupSessionError::NotFound);
    }
    if g.status != GroupStatus::Open {
        return Err(not_running(&g));
    }
    let (user_id, unit_path) =
        crate::services::seats::named_person(state, req.trainee_id, req.id_number.as_deref())
            .await?;
    {
        let mut conn = state.db.read().await?;
        crate::services::seats::admit(&mut conn, &g, user_id, unit_path).await?;
    }
    let attempt = attempt_on(state, (current, &ids), user_id, g.course_id).await?;
    let (row, questions) = attempt_with_questions(state, attempt, g.course_id).await?;
    let graded =
        practice::record_answer(state, &row, &questions, req.question_id, req.chosen).await?;
    let (by, now) = (user.id, state.clock.now_secs());
    let detail = format!("user:{user_id} question:{} on paper", req.question_id);
    state
        .db
        .write(move |c| {
            Box::pin(async move {
                audit::record(
                    c,
                    now,
                    Some(by),
                    "group_session.paper_answer",
                    &target(id),
                    &detail,
                )
                .await?;
                Ok(())
            })
        })
        .await?;
    state.rooms.changed(id);
    Ok(graded)
}

/// What a seat's event stream sends.
#[derive(Debug, Clone)]
pub enum SeatEvent {
    /// The current practice set (first, if there is one, and whenever the proctor pushes one).
    Practice(i64),
    /// The seat is over (signed out elsewhere, replaced, the session closed): why. Last.
    Ended(ErrorCode),
    /// Nothing changed: the server's clock.
    Ping(DateTime<Utc>),
}

/// A seat's live events: the practice sets pushed to it, and its end. `token_hash`: its
/// credential's, read again at every change so that an ended seat hears so at once.
pub fn seat_events(
    state: &AppState,
    seat: &Seat,
    token_hash: String,
) -> impl futures::Stream<Item = SeatEvent> + Send + 'static {
    struct S {
        state: AppState,
        id: i64,
        hash: String,
        changes: tokio::sync::broadcast::Receiver<i64>,
        practice: Option<i64>,
        started: bool,
        done: bool,
        sent_at: std::time::Instant,
    }
    let s = S {
        changes: state.rooms.subscribe(),
        state: state.clone(),
        id: seat.group_session_id,
        hash: token_hash,
        practice: None,
        started: false,
        done: false,
        sent_at: std::time::Instant::now(),
    };
    futures::stream::unfold(s, |mut s| async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            if s.done {
                return None;
            }
            if s.started {
                let id = s.id;
                let changes = &mut s.changes;
                let heard = async {
                    loop {
                        match changes.recv().await {
                            Ok(changed) if changed == id => return,
                            Ok(_) => {}
                            Err(RecvError::Lagged(_)) => return,
                            Err(RecvError::Closed) => std::future::pending::<()>().await,
                        }
                    }
                };
                tokio::select! {
                    _ = tokio::time::sleep(WATCH_EVERY) => {}
                    _ = heard => {}
                }
            }
            s.started = true;
            let read = async {
                let mut conn = s.state.db.read().await?;
                let seat = store::find_seat(&mut conn, &s.hash).await?;
                let practice = store::latest_practice(&mut conn, s.id).await?;
                Ok::<_, AppError>((seat, practice.map(|p| p.0)))
            };
            match read.await {
                Ok((seat, practice)) => {
                    let ended = match seat {
                        None => Some(ErrorCode::SeatEnded),
                        Some(seat) if seat.left => Some(
                            seat.left_reason
                                .map_or(ErrorCode::SeatEnded, |r| r.error_code()),
                        ),
                        Some(seat) if seat.status != GroupStatus::Open => {
                            Some(ErrorCode::RoomClosed)
                        }
                        Some(_) => None,
                    };
                    if let Some(code) = ended {
                        s.done = true;
                        return Some((SeatEvent::Ended(code), s));
                    }
                    if practice.is_some() && practice != s.practice {
                        s.practice = practice;
                        s.sent_at = std::time::Instant::now();
                        return Some((SeatEvent::Practice(practice.unwrap_or_default()), s));
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, group_session = s.id, "seat stream read failed");
                }
            }
            if s.sent_at.elapsed() >= PING_EVERY {
                s.sent_at = std::time::Instant::now();
                return Some((SeatEvent::Ping(s.state.clock.now()), s));
            }
        }
    })
}

/// Closes the open sessions whose end has passed and starts the random roll calls that are
/// due; answers how many of each. Run by the jobs (`crate::jobs`), and by tests on demand.
pub async fn run_due(state: &AppState) -> Result<(usize, usize), GroupSessionError> {
    let now = state.clock.now_secs();
    let due = {
        let mut conn = state.db.read().await?;
        store::due(&mut conn, now).await?
    };
    let (mut closed, mut called) = (0, 0);
    for (id, ends_at, _) in due {
        if ends_at <= now {
            if close_now(state, id, None).await? {
                closed += 1;
            }
            continue;
        }
        let g = {
            let mut conn = state.db.read().await?;
            store::get(&mut conn, id).await?
        };
        let Some(g) = g else { continue };
        match start_roll_call(state, &g, None).await {
            Ok(_) => called += 1,
            // The proctor's own is still running: the next is due after it.
            Err(GroupSessionError::RollCallOpen) => {}
            Err(e) => return Err(e),
        }
    }
    Ok((closed, called))
}

/// What a console's event stream sends.
#[derive(Debug, Clone)]
pub enum Watched {
    /// The whole view: first, after a reconnect (a new stream), and whenever more than seats
    /// changed (status, PIN, roll call, attendance).
    Snapshot(Box<GroupSessionView>),
    /// One seat that changed (its silence aside, which the console counts from `now`).
    Seat(Box<SeatView>),
    /// Nothing changed: the server's clock, so that the console knows the stream is alive.
    Ping(DateTime<Utc>),
}

/// A stream reads the session again at least this often.
const WATCH_EVERY: std::time::Duration = std::time::Duration::from_secs(1);
/// A stream that sent nothing for this long sends a ping.
const PING_EVERY: std::time::Duration = std::time::Duration::from_secs(5);
/// After a change is heard, the stream waits this long for the changes that come with it.
const SETTLE: std::time::Duration = std::time::Duration::from_millis(100);

struct Watch {
    state: AppState,
    scope: Scope,
    id: i64,
    changes: tokio::sync::broadcast::Receiver<i64>,
    last: Option<GroupSessionView>,
    out: std::collections::VecDeque<Watched>,
    sent_at: std::time::Instant,
    done: bool,
}

impl Watch {
    /// Waits for a change of this session, or for the next regular read.
    async fn wait(&mut self) {
        use tokio::sync::broadcast::error::RecvError;
        let id = self.id;
        let changes = &mut self.changes;
        let heard = async {
            loop {
                match changes.recv().await {
                    Ok(changed) if changed == id => return,
                    Ok(_) => {}
                    Err(RecvError::Lagged(_)) => return,
                    Err(RecvError::Closed) => std::future::pending::<()>().await,
                }
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(WATCH_EVERY) => {}
            _ = heard => tokio::time::sleep(SETTLE).await,
        }
    }

    /// Queues what differs from the last view sent.
    fn diff(&mut self, view: GroupSessionView) {
        let header = |v: &GroupSessionView| GroupSessionView {
            now: DateTime::<Utc>::default(),
            seats: Vec::new(),
            ..v.clone()
        };
        let steady = |s: &SeatView| SeatView {
            silent_secs: 0,
            ..s.clone()
        };
        match &self.last {
            Some(last) if header(last) == header(&view) => {
                for seat in &view.seats {
                    let before = last.seats.iter().find(|s| s.trainee_id == seat.trainee_id);
                    if before.map(steady) != Some(steady(seat)) {
                        self.out.push_back(Watched::Seat(Box::new(seat.clone())));
                    }
                }
            }
            _ => self
                .out
                .push_back(Watched::Snapshot(Box::new(view.clone()))),
        }
        self.last = Some(view);
    }
}

/// The live changes of a session for a console that may see it (its office admin or its
/// proctor): a snapshot first, then what changes, and a ping when nothing does. It ends when
/// the session is out of the caller's reach.
pub fn watch(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<impl futures::Stream<Item = Watched> + Send + 'static, GroupSessionError> {
    let scope = actor.group_sessions()?;
    let watch = Watch {
        changes: state.rooms.subscribe(),
        state: state.clone(),
        scope,
        id,
        last: None,
        out: Default::default(),
        sent_at: std::time::Instant::now(),
        done: false,
    };
    Ok(futures::stream::unfold(watch, |mut w| async move {
        loop {
            if let Some(event) = w.out.pop_front() {
                w.sent_at = std::time::Instant::now();
                return Some((event, w));
            }
            if w.done {
                return None;
            }
            if w.last.is_some() {
                w.wait().await;
            }
            match watched(&w.state, &w.scope, w.id).await {
                Ok(Some(view)) => w.diff(view),
                Ok(None) => w.done = true,
                Err(e) => {
                    tracing::warn!(error = %e, group_session = w.id, "console stream read failed");
                    tokio::time::sleep(WATCH_EVERY).await;
                }
            }
            if w.out.is_empty() && !w.done && w.sent_at.elapsed() >= PING_EVERY {
                w.out.push_back(Watched::Ping(w.state.clock.now()));
            }
        }
    }))
}
