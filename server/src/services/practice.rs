//! Practice: attempts on a course's questions, immediate feedback, scores and history.

use crate::access::{AccessError, Actor};
use crate::error::{unique_violation, AppError};
use crate::services::policy;
use crate::state::AppState;
use crate::storage::practice::{AttemptRow, Question};
use crate::storage::{catalogue, practice, users::User};
use chrono::DateTime;
use qinxue_core::catalogue::{CourseCategory, QuestionKind, TRUE_FALSE_OPTIONS};
use qinxue_core::practice::{
    is_correct, normalise_choice, score, Attempt, AttemptSummary, ChoiceError, GradedAnswer,
    PracticeQuestion,
};

/// Why a practice attempt is not started, shown, answered or finished.
#[derive(Debug, thiserror::Error)]
pub enum PracticeError {
    #[error(transparent)]
    Access(#[from] AccessError),
    /// No such course open to the trainee, or no such attempt of theirs.
    #[error("not found")]
    NotFound,
    /// A trade course of another trade than the trainee's.
    #[error("course of another trade")]
    WrongTrade,
    /// A retry of an attempt that got nothing wrong.
    #[error("nothing to retry")]
    NothingToRetry,
    #[error("attempt finished")]
    AttemptFinished,
    /// A question that is not one of the attempt's.
    #[error("question not in the attempt")]
    NotInAttempt,
    #[error("invalid choice: {0}")]
    InvalidChoice(ChoiceError),
    #[error("question answered already")]
    AlreadyAnswered,
    /// A fault of the layers below (database, writer, policy year, stored data).
    #[error(transparent)]
    Fault(#[from] AppError),
}

impl From<sqlx::Error> for PracticeError {
    fn from(e: sqlx::Error) -> Self {
        PracticeError::Fault(e.into())
    }
}

fn options(q: &Question) -> Vec<String> {
    if q.kind == QuestionKind::TrueFalse {
        TRUE_FALSE_OPTIONS.iter().map(|s| (*s).to_owned()).collect()
    } else {
        q.options.clone()
    }
}

fn at(secs: i64) -> DateTime<chrono::Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn view(row: &AttemptRow, questions: &[Question]) -> Attempt {
    let by_id = |id: i64| questions.iter().find(|q| q.id == id);
    Attempt {
        id: row.id,
        course_id: row.course_id,
        started_at: at(row.started_at),
        finished_at: row.finished_at.map(at),
        questions: row
            .question_ids
            .iter()
            .filter_map(|id| by_id(*id))
            .map(|q| PracticeQuestion {
                id: q.id,
                kind: q.kind,
                stem: q.stem.clone(),
                options: options(q),
            })
            .collect(),
        answers: row
            .answers
            .iter()
            .filter_map(|(id, chosen, correct)| {
                by_id(*id).map(|q| GradedAnswer {
                    question_id: q.id,
                    chosen: chosen.clone(),
                    correct: *correct,
                    answer: q.answer.clone(),
                    explanation: q.explanation.clone(),
                })
            })
            .collect(),
        score: row.score.map(|s| u32::try_from(s).unwrap_or_default()),
    }
}

/// The trainee's own attempt with the course's questions.
async fn own_attempt(
    state: &AppState,
    user: &User,
    id: i64,
) -> Result<(AttemptRow, Vec<Question>), PracticeError> {
    let mut conn = state.db.read().await?;
    let row = practice::attempt(&mut conn, id)
        .await?
        .filter(|a| a.user_id == user.id)
        .ok_or(PracticeError::NotFound)?;
    let questions = practice::questions(&mut conn, row.course_id).await?;
    Ok((row, questions))
}

/// Starts an attempt on every question of a course, or on those an earlier attempt of the
/// trainee got wrong.
pub async fn start(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    retry_wrong_of: Option<i64>,
) -> Result<Attempt, PracticeError> {
    let user = actor.trainee()?;
    let year = policy::in_force(state, state.clock.now()).await?.year;
    let course = {
        let mut conn = state.db.read().await?;
        // A withdrawn course stays open to those who had it in this year's plan.
        let open = catalogue::is_selected(&mut conn, user.id, year, course_id).await?;
        let courses = if open {
            catalogue::list_all(&mut conn).await?
        } else {
            catalogue::list_published(&mut conn).await?
        };
        courses
            .into_iter()
            .find(|c| c.id == course_id)
            .ok_or(PracticeError::NotFound)?
    };
    if course.category == CourseCategory::Trade
        && !course.trades.iter().any(|t| Some(t) == user.trade.as_ref())
    {
        return Err(PracticeError::WrongTrade);
    }
    let questions = {
        let mut conn = state.db.read().await?;
        practice::questions(&mut conn, course_id).await?
    };
    let ids: Vec<i64> = match retry_wrong_of {
        None => questions.iter().map(|q| q.id).collect(),
        Some(earlier) => {
            let (row, _) = own_attempt(state, user, earlier).await?;
            if row.course_id != course_id {
                return Err(PracticeError::NotFound);
            }
            let wrong: Vec<i64> = row.answers.iter().filter(|a| !a.2).map(|a| a.0).collect();
            if wrong.is_empty() {
                return Err(PracticeError::NothingToRetry);
            }
            wrong
        }
    };
    let (user_id, now) = (user.id, state.clock.now_secs());
    let id = state
        .db
        .write(move |c| {
            Box::pin(async move {
                Ok(practice::create_attempt(c, user_id, course_id, &ids, now).await?)
            })
        })
        .await?;
    get(state, actor, id).await
}

pub async fn get(state: &AppState, actor: &Actor, id: i64) -> Result<Attempt, PracticeError> {
    let user = actor.trainee()?;
    let (row, questions) = own_attempt(state, user, id).await?;
    Ok(view(&row, &questions))
}

/// Grades one answer and records it; the feedback comes back at once.
pub async fn answer(
    state: &AppState,
    actor: &Actor,
    attempt_id: i64,
    question_id: i64,
    chosen: Vec<usize>,
) -> Result<GradedAnswer, PracticeError> {
    let user = actor.trainee()?;
    let (row, questions) = own_attempt(state, user, attempt_id).await?;
    record_answer(state, &row, &questions, question_id, chosen).await
}

/// Grades one answer on a loaded attempt and records it: the one rule of practice answers,
/// for a trainee's own attempt, a seat's and one the proctor records from paper.
pub(crate) async fn record_answer(
    state: &AppState,
    row: &AttemptRow,
    questions: &[Question],
    question_id: i64,
    chosen: Vec<usize>,
) -> Result<GradedAnswer, PracticeError> {
    if row.finished_at.is_some() {
        return Err(PracticeError::AttemptFinished);
    }
    let q = questions
        .iter()
        .find(|q| q.id == question_id && row.question_ids.contains(&q.id))
        .ok_or(PracticeError::NotInAttempt)?;
    let choice = normalise_choice(q.kind, options(q).len(), &chosen)
        .map_err(PracticeError::InvalidChoice)?;
    let correct = is_correct(&q.answer, &choice);
    let now = state.clock.now_secs();
    let (stored, attempt_id) = (choice.clone(), row.id);
    state
        .db
        .write(move |c| {
            Box::pin(async move {
                practice::insert_answer(c, attempt_id, question_id, &stored, correct, now)
                    .await
                    .map_err(|e| match unique_violation(&e) {
                        Some(_) => PracticeError::AlreadyAnswered.into(),
                        None => AppError::Database(e),
                    })
            })
        })
        .await?;
    Ok(GradedAnswer {
        question_id,
        chosen: choice,
        correct,
        answer: q.answer.clone(),
        explanation: q.explanation.clone(),
    })
}

/// An attempt as its person sees it.
pub(crate) fn attempt_view(row: &AttemptRow, questions: &[Question]) -> Attempt {
    view(row, questions)
}

/// Finishes an attempt: its score counts unanswered questions as wrong.
pub async fn finish(
    state: &AppState,
    actor: &Actor,
    attempt_id: i64,
) -> Result<Attempt, PracticeError> {
    let user = actor.trainee()?;
    let (row, _) = own_attempt(state, user, attempt_id).await?;
    let total = u32::try_from(row.question_ids.len()).unwrap_or(u32::MAX);
    let right = u32::try_from(row.answers.iter().filter(|a| a.2).count()).unwrap_or_default();
    let (s, now) = (score(right, total), state.clock.now_secs());
    let finished = state
        .db
        .write(move |c| Box::pin(async move { Ok(practice::finish(c, attempt_id, s, now).await?) }))
        .await?;
    if !finished {
        return Err(PracticeError::AttemptFinished);
    }
    get(state, actor, attempt_id).await
}

/// The trainee's attempts on a course, newest first.
pub async fn history(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
) -> Result<Vec<AttemptSummary>, PracticeError> {
    let user = actor.trainee()?;
    let mut conn = state.db.read().await?;
    practice::history(&mut conn, user.id, course_id)
        .await?
        .into_iter()
        .map(|(id, started, finished, question_ids, correct, s)| {
            let questions: Vec<i64> = serde_json::from_str(&question_ids)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(AttemptSummary {
                id,
                started_at: at(started),
                finished_at: finished.map(at),
                questions: u32::try_from(questions.len()).unwrap_or(u32::MAX),
                correct: u32::try_from(correct).unwrap_or_default(),
                score: s.map(|v| u32::try_from(v).unwrap_or_default()),
            })
        })
        .collect()
}
