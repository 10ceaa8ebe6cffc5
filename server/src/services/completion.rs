//! A trainee's years and their completion: the credits of every source, gathered from
//! storage, settled by `qinxue_core::completion` (which holds the crediting rule: a credit
//! counts first for the earliest unfinished paid year).
//!
//! Computed when read, from what the study-time ledger stored (`lesson_progress` for the
//! exact seconds per year and lesson kind, `study_days` and the sessions' last heartbeats for
//! when they were earned), so that the heartbeat path writes nothing more for it. Approved
//! supplementary activities are credits of their own source (`activity_attendance`), each
//! earned at the end of its activity's day.

use crate::access::{AccessError, Actor};
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::completion as store;
use crate::storage::policy_years;
use chrono::{DateTime, Datelike, Utc};
use qinxue_core::api::TrainingYear;
use qinxue_core::completion::{self, secs_per_hour, Credit, Source, YearOutcome, YearTerms};
use qinxue_core::ledger::LessonKind;
use qinxue_core::time::{end_of_local_day, local_date};
use qinxue_core::{Grade, PolicyYear};
use sqlx::AnyConnection;
use std::collections::HashMap;

/// One of a trainee's years: its settings, the grade its requirement is for, its completion.
#[derive(Debug, Clone)]
pub struct Year {
    pub policy: PolicyYear,
    pub grade: Option<Grade>,
    pub outcome: YearOutcome,
}

impl Year {
    pub fn required_hours(&self) -> u32 {
        self.grade
            .map(|g| self.policy.required_hours(g))
            .unwrap_or_default()
    }

    /// The year as `GET /api/me/years` shows it.
    pub fn to_wire(&self, now: DateTime<Utc>) -> TrainingYear {
        let o = &self.outcome;
        TrainingYear {
            year: self.policy.year,
            enrolled: o.enrolled,
            grade: self.grade,
            required_hours: self.required_hours(),
            minutes_per_hour: self.policy.minutes_per_hour,
            credited_secs: o.credited,
            credited_total_secs: o.credited.total(),
            missing_secs: o.missing_secs(),
            completed: o.completed,
            completed_at: o.completed_at.and_then(|t| DateTime::from_timestamp(t, 0)),
            study_deadline: self.policy.study_closes_at(),
            registration_deadline: self.policy.registration_closes_at(),
            payable: !o.enrolled && self.policy.payable(now),
        }
    }
}

/// Why a trainee's years are not shown.
#[derive(Debug, thiserror::Error)]
pub enum CompletionError {
    #[error(transparent)]
    Access(#[from] AccessError),
    /// The signed-in trainee's account is gone.
    #[error("no such trainee")]
    NotFound,
    /// A fault of the layers below (database).
    #[error(transparent)]
    Fault(#[from] AppError),
}

impl From<sqlx::Error> for CompletionError {
    fn from(e: sqlx::Error) -> Self {
        CompletionError::Fault(e.into())
    }
}

/// The settings of a year: as configured, else the notice's standard ones (as
/// `services::policy::in_force` starts a year nobody configured).
pub(crate) async fn policy_of(
    conn: &mut AnyConnection,
    year: i32,
) -> Result<PolicyYear, sqlx::Error> {
    Ok(match policy_years::in_force(conn, year).await? {
        Some(p) if p.year == year => p,
        _ => PolicyYear::standard(year),
    })
}

/// Every year of a trainee from the one they registered in (or first enrolled in or studied
/// in, if earlier) to the one in force at `now`, with its completion. `None` for no such
/// account.
pub async fn of_trainee(
    conn: &mut AnyConnection,
    user_id: i64,
    profile_grade: Option<Grade>,
    now: DateTime<Utc>,
) -> Result<Option<Vec<Year>>, sqlx::Error> {
    let Some(registered_at) = store::registered_at(conn, user_id).await? else {
        return Ok(None);
    };
    let enrolments = store::enrolments(conn, user_id).await?;
    let lessons = store::lesson_totals(conn, user_id).await?;
    let days = store::days(conn, user_id).await?;
    let activities = crate::storage::activities::credits_of(conn, user_id).await?;

    let this_year = local_date(now).year();
    let registered =
        DateTime::from_timestamp(registered_at, 0).map_or(this_year, |t| local_date(t).year());
    let first = enrolments
        .iter()
        .map(|e| e.year)
        .chain(lessons.iter().map(|l| l.0))
        .chain(activities.iter().map(|a| a.0))
        .fold(registered, i32::min)
        .min(this_year);

    let mut years = Vec::new();
    let mut terms = Vec::new();
    let mut credits: Vec<Credit> = Vec::new();
    for y in first..=this_year {
        let policy = policy_of(conn, y).await?;
        let enrolment = enrolments.iter().find(|e| e.year == y);
        let grade = enrolment.map(|e| e.grade).or(profile_grade);
        let required_hours = grade.map(|g| policy.required_hours(g)).unwrap_or_default();
        terms.push(YearTerms {
            year: y,
            enrolled: enrolment.is_some_and(|e| e.active),
            required_secs: i64::from(required_hours) * secs_per_hour(policy.minutes_per_hour),
        });
        let mut by_kind: HashMap<LessonKind, i64> = HashMap::new();
        for (_, kind, secs) in lessons.iter().filter(|l| l.0 == y) {
            *by_kind.entry(*kind).or_default() += secs;
        }
        let practice = by_kind.get(&LessonKind::Practice).copied().unwrap_or(0);
        let online = by_kind.values().sum::<i64>() - practice;
        let year_days: Vec<(i64, i64)> = days
            .iter()
            .filter(|d| d.day.year() == y)
            .map(|d| {
                let at = d
                    .last_beat
                    .unwrap_or_else(|| end_of_local_day(d.day).timestamp());
                (at.min(now.timestamp()), d.credited_secs)
            })
            .collect();
        let fallback_at = policy.study_closes_at().min(now).timestamp();
        credits.extend(completion::lesson_credits(
            y,
            online,
            practice,
            &year_days,
            fallback_at,
        ));
        credits.extend(
            activities
                .iter()
                .filter(|a| a.0 == y)
                .map(|&(year, secs, at)| Credit {
                    year,
                    source: Source::Activity,
                    secs,
                    at: at.min(now.timestamp()),
                }),
        );
        years.push((policy, grade));
    }
    let outcomes = completion::settle(&terms, &credits);
    Ok(Some(
        years
            .into_iter()
            .zip(outcomes)
            .map(|((policy, grade), outcome)| Year {
                policy,
                grade,
                outcome,
            })
            .collect(),
    ))
}

/// Whether the trainee has a paid year before the one in force at `now` that is still
/// unfinished: they may study for it (policy section 七) even before paying for this year.
pub async fn owes_earlier_year(
    conn: &mut AnyConnection,
    user_id: i64,
    profile_grade: Option<Grade>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let this_year = local_date(now).year();
    Ok(of_trainee(conn, user_id, profile_grade, now)
        .await?
        .unwrap_or_default()
        .iter()
        .any(|y| y.policy.year < this_year && y.outcome.enrolled && !y.outcome.completed))
}

/// `GET /api/me/years`: the signed-in trainee's years, the earliest first.
pub async fn my_years(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<TrainingYear>, CompletionError> {
    let user = actor.trainee()?;
    let now = state.clock.now();
    let mut conn = state.db.read().await?;
    let years = of_trainee(&mut conn, user.id, user.grade, now)
        .await?
        .ok_or(CompletionError::NotFound)?;
    Ok(years.iter().map(|y| y.to_wire(now)).collect())
}
