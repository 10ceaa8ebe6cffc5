//! Studying: lesson content, study sessions, heartbeats, anti-idle checks and the year's
//! credited time. The crediting rules are `qinxue_core::ledger`; this module applies them to a
//! session's row, which `services::study_writer` loads and saves around them.

use crate::access::{AccessError, Actor, Studier};
use crate::auth::session::new_token;
use crate::error::AppError;
use crate::services::{completion, policy};
use crate::state::AppState;
use crate::storage::study::{CheckQuestion, StudyRow};
use crate::storage::{catalogue, enrolments, study, Tx, WriteFuture};
use chrono::{DateTime, Utc};
use qinxue_core::api::{
    CheckKind, CheckPassed, CheckPrompt, CourseProgress, HeartbeatReply, HeartbeatRequest, Lesson,
    LessonCredit, LessonProgressView, StudyProgress, StudySession,
};
use qinxue_core::catalogue::{format_hours, Challenge};
use qinxue_core::ledger::{
    self, AnswerOutcome, Beat, BeatOutcome, LedgerConfig, LedgerError, Session,
};
use qinxue_core::time::end_of_local_day;

/// Why a lesson is not shown, or a study session not opened, continued, answered or ended.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    #[error(transparent)]
    Access(#[from] AccessError),
    /// No such lesson open to the trainee, or no such open check.
    #[error("not found")]
    NotFound,
    /// A heartbeat's `seq` outside 1..=1,000,000,000.
    #[error("seq out of range")]
    SeqOutOfRange,
    /// A heartbeat's position outside a day.
    #[error("position out of range")]
    PositionOutOfRange,
    /// The year's study deadline has passed.
    #[error("study closed")]
    StudyClosed,
    #[error("session ended")]
    SessionEnded,
    #[error("check expired")]
    CheckExpired,
    /// A trade course of another trade, outside the trainee's plan.
    #[error("course of another trade")]
    WrongTrade,
    /// Neither this year paid for nor an earlier paid year owed.
    #[error("not enrolled")]
    NotEnrolled,
    /// A check answered wrong (the failure is recorded).
    #[error("wrong answer")]
    WrongAnswer,
    /// A fault of the layers below, or their refusal (database, heartbeat writer, policy
    /// year, randomness).
    #[error(transparent)]
    Fault(#[from] AppError),
}

impl From<sqlx::Error> for StudyError {
    fn from(e: sqlx::Error) -> Self {
        StudyError::Fault(e.into())
    }
}

/// A position beyond a day is no lesson's; such input is refused, not clamped.
const MAX_POSITION_SECS: i64 = 86_400;

pub fn random_u64() -> Result<u64, AppError> {
    let mut b = [0u8; 8];
    getrandom::getrandom(&mut b).map_err(|e| AppError::Internal(format!("getrandom: {e}")))?;
    Ok(u64::from_le_bytes(b))
}

fn ledger_error(e: LedgerError) -> StudyError {
    match e {
        LedgerError::SessionEnded => StudyError::SessionEnded,
        LedgerError::NoOpenCheck => StudyError::NotFound,
        LedgerError::CheckExpired => StudyError::CheckExpired,
    }
}

/// Checks a heartbeat's numbers before it reaches the ledger.
pub fn validate_beat(req: &HeartbeatRequest) -> Result<Beat, StudyError> {
    if req.seq < 1 || req.seq > 1_000_000_000 {
        return Err(StudyError::SeqOutOfRange);
    }
    if !(0..=MAX_POSITION_SECS).contains(&req.position_secs) {
        return Err(StudyError::PositionOutOfRange);
    }
    Ok(Beat {
        seq: req.seq,
        visible: req.visible,
        position_secs: req.position_secs,
        active: req.active,
    })
}

/// Applies one heartbeat to a loaded row under its year's rules (`cfg` with the row's daily
/// cap and check interval); makes up the question when a check opens.
pub fn apply_beat(
    row: &mut StudyRow,
    beat: Beat,
    now: DateTime<Utc>,
    cfg: &LedgerConfig,
) -> Result<BeatOutcome, StudyError> {
    if now > end_of_local_day(row.study_deadline) {
        return Err(StudyError::StudyClosed);
    }
    let cfg = &cfg.with_year(row.rules);
    let outcome = ledger::heartbeat(
        &mut row.session,
        &mut row.lesson,
        &mut row.day,
        beat,
        now.timestamp(),
        cfg,
    )
    .map_err(ledger_error)?;
    if row.session.check.is_none() {
        row.question = None;
    }
    if outcome.check_opened.is_some() {
        let challenge = Challenge::from_draw(random_u64()?);
        let (_, id) = new_token()?;
        row.question = Some(CheckQuestion {
            id: id[..32].to_owned(),
            prompt: challenge.prompt,
            options: challenge.options,
            answer: challenge.answer,
        });
    }
    row.year_credited_secs += outcome.credited_secs;
    Ok(outcome)
}

fn open_check(row: &StudyRow) -> Option<CheckPrompt> {
    match (row.session.check, &row.question) {
        (Some(check), Some(q)) => Some(CheckPrompt {
            id: q.id.clone(),
            prompt: q.prompt.clone(),
            options: q.options.clone(),
            expires_at: DateTime::from_timestamp(check.expires_at, 0).unwrap_or_default(),
            kind: if row.session.proctored {
                CheckKind::RollCall
            } else {
                CheckKind::Check
            },
        }),
        _ => None,
    }
}

pub fn reply_for(row: &StudyRow, outcome: &BeatOutcome) -> HeartbeatReply {
    HeartbeatReply {
        credited_secs: outcome.credited_secs,
        verdict: outcome.verdict,
        lesson_credited_secs: row.lesson.credited_secs,
        year_credited_secs: row.year_credited_secs,
        furthest_secs: row.lesson.furthest_secs,
        check: open_check(row),
    }
}

/// A lesson's content with the trainee's progress this year.
pub async fn lesson(state: &AppState, actor: &Actor, lesson_id: i64) -> Result<Lesson, StudyError> {
    let user = actor.trainee()?;
    let year = policy::in_force(state, state.clock.now()).await?;
    let mut conn = state.db.read().await?;
    let l = catalogue::lesson(&mut conn, lesson_id)
        .await?
        .ok_or(StudyError::NotFound)?;
    // An unpublished course (a draft, or one withdrawn) is open only to those who have it in
    // this year's plan.
    if !l.published && !catalogue::is_selected(&mut conn, user.id, year.year, l.course_id).await? {
        return Err(StudyError::NotFound);
    }
    let (credited_secs, furthest_secs, position_secs) =
        study::progress(&mut conn, user.id, l.id, year.year)
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

/// Opens a study session on a lesson, ending any other session of the trainee.
pub async fn start(
    state: &AppState,
    actor: &Actor,
    lesson_id: i64,
) -> Result<StudySession, StudyError> {
    let user = actor.trainee()?;
    let now = state.clock.now();
    let year = policy::in_force(state, now).await?;
    if !year.study_open(now) {
        return Err(StudyError::StudyClosed);
    }
    {
        let mut conn = state.db.read().await?;
        let l = catalogue::lesson(&mut conn, lesson_id)
            .await?
            .ok_or(StudyError::NotFound)?;
        // A withdrawn course stays open to those who had it in this year's plan. Outside the
        // plan, a trade course is for its trades only, as for practice: otherwise its credit
        // would count in the year of someone who could neither choose nor practise it.
        if !catalogue::is_selected(&mut conn, user.id, year.year, l.course_id).await? {
            if !l.published {
                return Err(StudyError::NotFound);
            }
            if !catalogue::open_to_trade(&mut conn, l.course_id, user.trade.as_deref()).await? {
                return Err(StudyError::WrongTrade);
            }
        }
        // Paid for this year, or owing an earlier paid year that is unfinished: such study
        // counts for that year first (`qinxue_core::completion`), whether or not this year
        // is paid for yet.
        if !enrolments::is_active(&mut conn, user.id, year.year).await?
            && !completion::owes_earlier_year(&mut conn, user.id, user.grade, now).await?
        {
            return Err(StudyError::NotEnrolled);
        }
    }
    let cfg = state.ledger.with_year(year.ledger_rules());
    let session = Session::open(now.timestamp(), &cfg, random_u64()?);
    let opening = Opening {
        user_id: user.id,
        lesson_id,
        year: year.year,
        at: now.timestamp(),
        group_session_id: None,
        heartbeat_secs: cfg.heartbeat_secs,
        check_window_secs: cfg.check_window_secs,
    };
    open_session(state, opening, session, |_, _| Box::pin(async { Ok(()) })).await
}

/// A study session to open: whose, on which lesson, counting in which year, when, at a seat
/// of which group session (none on the trainee's own account), and what its reply tells the
/// client of its rhythm.
pub(crate) struct Opening {
    pub user_id: i64,
    pub lesson_id: i64,
    pub year: i32,
    pub at: i64,
    pub group_session_id: Option<i64>,
    pub heartbeat_secs: i64,
    /// The time the client has to answer a check (at a seat: a roll call).
    pub check_window_secs: i64,
}

/// Opens a study session in the heartbeat writer, the one way one opens (on an account or at
/// a seat): every other live session of the person ends first (one live study session per
/// person, online or at a seat), then `then` runs in the same transaction with the new
/// session's id (a seat carries its room's open or missed roll call over).
pub(crate) async fn open_session<F>(
    state: &AppState,
    o: Opening,
    session: Session,
    then: F,
) -> Result<StudySession, StudyError>
where
    F: for<'t> FnOnce(&'t mut Tx, i64) -> WriteFuture<'t, ()> + Send + 'static,
{
    let (user_id, lesson_id, year, at, group) =
        (o.user_id, o.lesson_id, o.year, o.at, o.group_session_id);
    let opened = state
        .study
        .run(move |c| {
            Box::pin(async move {
                let mut touched = study::end_live(&mut *c, user_id, "superseded", at).await?;
                let opened = study::open(c, user_id, lesson_id, year, &session, at, group).await?;
                touched.push(opened.id);
                then(c, opened.id).await?;
                Ok((opened, touched))
            })
        })
        .await?;
    if let Some(group) = group {
        state.rooms.changed(group);
    }
    Ok(StudySession {
        session_id: opened.id,
        heartbeat_secs: o.heartbeat_secs,
        check_window_secs: o.check_window_secs,
        progress: LessonProgressView {
            credited_secs: opened.credited_secs,
            furthest_secs: opened.furthest_secs,
            position_secs: opened.position_secs,
        },
    })
}

/// Applies an answer to a loaded row. `Err` when `check_id` is not the session's open check
/// (nothing changes); otherwise the ledger's verdict, which changes the row also when it
/// refuses the answer (a wrong or late answer fails the check).
pub fn apply_answer(
    row: &mut StudyRow,
    check_id: &str,
    given: &str,
    now: DateTime<Utc>,
    cfg: &LedgerConfig,
    draw: u64,
) -> Result<Result<AnswerOutcome, LedgerError>, StudyError> {
    let correct = match &row.question {
        Some(q) if q.id == check_id => q.answer == given.trim(),
        _ => return Err(StudyError::NotFound),
    };
    if row.session.ended {
        return Err(StudyError::SessionEnded);
    }
    let cfg = &cfg.with_year(row.rules);
    let verdict = ledger::answer(
        &mut row.session,
        &mut row.lesson,
        &mut row.day,
        correct,
        now.timestamp(),
        cfg,
        draw,
    );
    row.question = None;
    if let Ok(o) = &verdict {
        row.year_credited_secs += o.credited_secs;
    }
    Ok(verdict)
}

/// Ends a loaded row; false when it had ended already.
pub fn apply_end(row: &mut StudyRow) -> bool {
    if row.session.ended {
        return false;
    }
    ledger::end(&mut row.session);
    row.question = None;
    row.end_reason = Some("closed".into());
    true
}

/// Answers a check; a wrong answer closes it and blocks crediting until the next is answered.
pub async fn answer(
    state: &AppState,
    actor: &Actor,
    check_id: String,
    given: String,
) -> Result<CheckPassed, StudyError> {
    let user = actor.trainee()?;
    // A check's id is known to its client only once committed, so a read finds its session;
    // the writer makes sure it is still that session's open check.
    let session_id = {
        let mut conn = state.db.read().await?;
        study::session_of_check(&mut conn, &check_id)
            .await?
            .ok_or(StudyError::NotFound)?
    };
    // The failed check is recorded (committed) before the error is answered.
    let (verdict, lesson_credited_secs) = state
        .study
        .answer(
            Studier::account(user.id),
            session_id,
            check_id,
            given,
            random_u64()?,
        )
        .await?;
    match verdict.map_err(ledger_error)? {
        o if o.correct => Ok(CheckPassed {
            credited_secs: o.credited_secs,
            lesson_credited_secs,
        }),
        _ => Err(StudyError::WrongAnswer),
    }
}

/// Ends a session, first crediting its last interval if the client sent one.
pub async fn end(
    state: &AppState,
    who: Studier,
    session_id: i64,
    last: Option<HeartbeatRequest>,
) -> Result<(), StudyError> {
    let last = last.as_ref().map(validate_beat).transpose()?;
    if let Some(beat) = last {
        match state.study.heartbeat(who, session_id, beat).await {
            Ok(_) | Err(AppError::SessionEnded | AppError::StudyClosed) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(state.study.end(who, session_id).await?)
}

/// The year's credited time by course, in 学时 with one decimal.
pub async fn progress(state: &AppState, actor: &Actor) -> Result<StudyProgress, StudyError> {
    let user = actor.trainee()?;
    let year = policy::in_force(state, state.clock.now()).await?;
    let mut conn = state.db.read().await?;
    let grade = enrolments::grade_for(&mut conn, user.id, year.year)
        .await?
        .or(user.grade);
    let rows = study::year_credits(&mut conn, user.id, year.year).await?;
    let mph = year.minutes_per_hour;
    let mut courses: Vec<CourseProgress> = Vec::new();
    for (course_id, title, hours, lesson_id, duration_secs, credited_secs) in rows {
        if courses.last().is_none_or(|c| c.course_id != course_id) {
            courses.push(CourseProgress {
                course_id,
                title,
                hours: u32::try_from(hours).unwrap_or_default(),
                credited_secs: 0,
                credited_hours: String::new(),
                lessons: Vec::new(),
            });
        }
        let course = courses.last_mut().expect("pushed above");
        course.credited_secs += credited_secs;
        course.lessons.push(LessonCredit {
            lesson_id,
            credited_secs,
            duration_secs,
        });
    }
    for c in &mut courses {
        c.credited_hours = format_hours(c.credited_secs, mph);
    }
    let credited_secs = courses.iter().map(|c| c.credited_secs).sum();
    Ok(StudyProgress {
        year: year.year,
        required_hours: grade.map(|g| year.required_hours(g)).unwrap_or_default(),
        minutes_per_hour: mph,
        credited_secs,
        credited_hours: format_hours(credited_secs, mph),
        courses,
    })
}
