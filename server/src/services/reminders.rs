//! Reminders before the year's deadlines (issue 12): before the registration deadline to the
//! trainees not paid for the year, before the study deadline to those paid and not finished,
//! on the days the policy year sets (`PolicyYear::reminder_days`). Each goes once per person
//! and reminder into `reminders`, which the trainee's home page shows
//! (`GET /api/me/reminders`) and a deployment feeds to SMS (rows with `sms_sent_at` NULL).
//!
//! A background job ([`spawn`]) works through the round due today ([`due_round`]) once:
//! rounds done are recorded in `reminder_rounds`, so a tick finds nothing to do until the
//! next round's day. Several instances may run it at the same time: the inserts are keyed by
//! (person, year, kind, days before) and do nothing twice.

use crate::access::{AccessError, Actor};
use crate::error::AppError;
use crate::services::{completion, policy};
use crate::state::AppState;
use crate::storage::reminders::{self as store, NewReminder, Recipient};
use chrono::{DateTime, Datelike, Utc};
use qinxue_core::catalogue::format_hours;
use qinxue_core::reminder::{due_round, message, Reminder, ReminderKind};
use qinxue_core::time::local_date;

/// Reminders written per transaction.
const CHUNK: usize = 500;

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RemindersRun {
    /// Rounds worked through in this run.
    pub rounds: u32,
    /// Reminders written (others' runs wrote the rest).
    pub sent: u64,
}

/// Why reminders are not sent or not shown.
#[derive(Debug, thiserror::Error)]
pub enum RemindersError {
    #[error(transparent)]
    Access(#[from] AccessError),
    /// A fault of the layers below (database, policy year).
    #[error(transparent)]
    Fault(#[from] AppError),
}

impl From<sqlx::Error> for RemindersError {
    fn from(e: sqlx::Error) -> Self {
        RemindersError::Fault(e.into())
    }
}

/// Works through the rounds of the year in force that are due at the clock's now and not yet
/// done.
pub async fn run_once(state: &AppState) -> Result<RemindersRun, RemindersError> {
    let now = state.clock.now();
    let today = local_date(now);
    let year = policy::in_force(state, now).await?;
    let mut run = RemindersRun::default();
    for kind in ReminderKind::ALL {
        let deadline = match kind {
            ReminderKind::Registration => year.registration_deadline,
            ReminderKind::Study => year.study_deadline,
        };
        let Some(days) = due_round(&year.reminder_dates(deadline), deadline, today) else {
            continue;
        };
        let reminders = {
            let mut conn = state.db.read().await?;
            if store::round_done(&mut conn, year.year, kind, days).await? {
                continue;
            }
            let people = store::trainees(&mut conn, year.year, kind == ReminderKind::Study).await?;
            let mut out = Vec::new();
            for p in people {
                let missing = match kind {
                    ReminderKind::Registration => String::new(),
                    ReminderKind::Study => match missing_secs(&mut conn, &p, year.year, now).await?
                    {
                        Some(secs) => format_hours(secs, year.minutes_per_hour),
                        None => continue,
                    },
                };
                out.push(NewReminder {
                    user_id: p.user_id,
                    year: year.year,
                    kind,
                    days_before: days,
                    deadline,
                    message: message(kind, &p.name, year.year, deadline, &missing),
                    phone: p.phone,
                });
            }
            out
        };
        let at = now.timestamp();
        for chunk in reminders.chunks(CHUNK) {
            let chunk = chunk.to_vec();
            run.sent += state
                .db
                .write(move |c| Box::pin(async move { Ok(store::insert(c, &chunk, at).await?) }))
                .await?;
        }
        let y = year.year;
        state
            .db
            .write(move |c| {
                Box::pin(async move { Ok(store::mark_round(c, y, kind, days, at).await?) })
            })
            .await?;
        run.rounds += 1;
    }
    Ok(run)
}

/// What `year` still misses of a paid trainee (the crediting rule of
/// `qinxue_core::completion` applied), or `None` when it is completed.
async fn missing_secs(
    conn: &mut sqlx::AnyConnection,
    p: &Recipient,
    year: i32,
    now: DateTime<Utc>,
) -> Result<Option<i64>, sqlx::Error> {
    let years = completion::of_trainee(conn, p.user_id, p.grade, now)
        .await?
        .unwrap_or_default();
    Ok(years
        .iter()
        .find(|y| y.policy.year == year)
        .filter(|y| !y.outcome.completed)
        .map(|y| y.outcome.missing_secs()))
}

/// `GET /api/me/reminders`: the signed-in trainee's reminders that still hold — of a deadline
/// not yet passed, for a year still unpaid (registration) or unfinished (study) — the newest
/// first.
pub async fn mine(state: &AppState, actor: &Actor) -> Result<Vec<Reminder>, RemindersError> {
    let user = actor.trainee()?;
    let now = state.clock.now();
    let today = local_date(now);
    let mut conn = state.db.read().await?;
    let rows = store::of_user(&mut conn, user.id, today.year()).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let years = completion::of_trainee(&mut conn, user.id, user.grade, now)
        .await?
        .unwrap_or_default();
    let still = |year: i32, kind: ReminderKind| {
        let y = years.iter().find(|y| y.policy.year == year);
        match kind {
            ReminderKind::Registration => !y.is_some_and(|y| y.outcome.enrolled),
            ReminderKind::Study => !y.is_some_and(|y| y.outcome.completed),
        }
    };
    Ok(rows
        .into_iter()
        .filter(|r| r.deadline >= today && still(r.year, r.kind))
        .map(|r| Reminder {
            id: r.id,
            year: r.year,
            kind: r.kind,
            days_before: r.days_before,
            deadline: r.deadline,
            message: r.message,
            sent_at: DateTime::from_timestamp(r.created_at, 0).unwrap_or_default(),
        })
        .collect())
}
