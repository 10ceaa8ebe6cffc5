//! The provincial admin's policy years (DESIGN.md §8): read, change, and open the next year
//! from the last one. Every change is audited with the settings before and after it.
//!
//! A change touches nothing already done: credited study is stored in seconds (a new
//! `minutes_per_hour` changes what the requirement is in seconds, never what was credited),
//! and an order keeps the amount and per-person fees it was made with. Once a year's study
//! deadline has passed its settings decided who completed it, so they are kept as they were;
//! only whether it allows late payment may still change.

use crate::access::{AccessError, Actor};
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::{audit, policy_years};
use chrono::{DateTime, Utc};
use qinxue_core::api::FieldError;
use qinxue_core::office::PolicyYearView;
use qinxue_core::{ErrorCode, PolicyYear};

/// Why a policy year is not shown, changed or opened.
#[derive(Debug, thiserror::Error)]
pub enum PolicyAdminError {
    #[error(transparent)]
    Access(#[from] AccessError),
    /// No such configured year.
    #[error("not found")]
    NotFound,
    /// The body's year is not the one in the address.
    #[error("year differs from the address")]
    YearMismatch,
    /// Settings that break the policy's rules, each with its field.
    #[error("invalid settings")]
    Invalid(Vec<FieldError>),
    /// The year's study deadline has passed: only late payment may still change.
    #[error("study closed")]
    StudyClosed,
    /// No year configured to open the next one from.
    #[error("no policy year")]
    NoPolicyYear,
    /// A fault of the layers below (database, JSON of the audit entry).
    #[error(transparent)]
    Fault(#[from] AppError),
}

impl From<sqlx::Error> for PolicyAdminError {
    fn from(e: sqlx::Error) -> Self {
        PolicyAdminError::Fault(e.into())
    }
}

fn view(policy: PolicyYear, now: DateTime<Utc>) -> PolicyYearView {
    let editable = policy.study_open(now);
    PolicyYearView::new(policy, editable)
}

fn target(year: i32) -> String {
    format!("policy_year:{year}")
}

fn json(y: &PolicyYear) -> Result<String, AppError> {
    serde_json::to_string(y).map_err(|e| AppError::Internal(format!("policy year JSON: {e}")))
}

/// Every configured year, the latest first; the year in force is made if nobody has yet.
pub async fn list(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<PolicyYearView>, PolicyAdminError> {
    actor.policy_manager()?;
    let now = state.clock.now();
    crate::services::policy::in_force(state, now).await?;
    let mut conn = state.db.read().await?;
    Ok(policy_years::list(&mut conn)
        .await?
        .into_iter()
        .map(|y| view(y, now))
        .collect())
}

/// One configured year.
pub async fn get(
    state: &AppState,
    actor: &Actor,
    year: i32,
) -> Result<PolicyYearView, PolicyAdminError> {
    actor.policy_manager()?;
    let now = state.clock.now();
    crate::services::policy::in_force(state, now).await?;
    let mut conn = state.db.read().await?;
    let policy = policy_years::get(&mut conn, year)
        .await?
        .ok_or(PolicyAdminError::NotFound)?;
    Ok(view(policy, now))
}

/// Replaces a configured year's settings.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    year: i32,
    input: PolicyYear,
) -> Result<PolicyYearView, PolicyAdminError> {
    let admin = actor.policy_manager()?.id;
    if input.year != year {
        return Err(PolicyAdminError::YearMismatch);
    }
    let problems: Vec<FieldError> = input
        .problems()
        .into_iter()
        .map(|(field, message)| FieldError::new(field, ErrorCode::OutOfRange, message))
        .collect();
    if !problems.is_empty() {
        return Err(PolicyAdminError::Invalid(problems));
    }
    let now = state.clock.now();
    let at = now.timestamp();
    let after = json(&input)?;
    let saved = state
        .db
        .write_as::<_, PolicyAdminError, _>(move |c| {
            Box::pin(async move {
                let before = policy_years::get(&mut *c, year)
                    .await?
                    .ok_or(PolicyAdminError::NotFound)?;
                // A closed year may still be opened to late payment (or closed to it again):
                // that decides who may yet pay, not who completed.
                let only_late_payment = PolicyYear {
                    late_payment: input.late_payment,
                    ..before.clone()
                } == input;
                if !before.study_open(now) && !only_late_payment {
                    return Err(PolicyAdminError::StudyClosed);
                }
                if before == input {
                    return Ok(input);
                }
                policy_years::update(&mut *c, &input).await?;
                audit::record_change(
                    &mut *c,
                    at,
                    Some(admin),
                    "policy_year.update",
                    &target(year),
                    "",
                    Some(&json(&before)?),
                    Some(&after),
                )
                .await?;
                Ok(input)
            })
        })
        .await?;
    // Live sessions carry their year's daily cap and check interval: this instance's heartbeat
    // writer reads them again (the heartbeat path never asks for the policy year itself).
    state.study.policy_changed();
    tracing::info!(year, admin, "policy year changed");
    Ok(view(saved, now))
}

/// Opens the year after the latest configured one with its settings (deadlines a year
/// later); with none configured, the year in force with the notice's standard settings.
pub async fn create_next(
    state: &AppState,
    actor: &Actor,
) -> Result<PolicyYearView, PolicyAdminError> {
    let admin = actor.policy_manager()?.id;
    let now = state.clock.now();
    crate::services::policy::in_force(state, now).await?;
    let created = state
        .db
        .write_as::<_, PolicyAdminError, _>(move |c| {
            Box::pin(async move {
                let latest = policy_years::list(&mut *c).await?.into_iter().next();
                let next = latest
                    .map(|y| y.next())
                    .ok_or(PolicyAdminError::NoPolicyYear)?;
                if !policy_years::insert_if_missing(&mut *c, &next).await? {
                    // Another admin opened it at the same moment; theirs stands.
                    let year = next.year;
                    return Ok(policy_years::get(&mut *c, year).await?.unwrap_or(next));
                }
                audit::record_change(
                    &mut *c,
                    now.timestamp(),
                    Some(admin),
                    "policy_year.create",
                    &target(next.year),
                    "",
                    None,
                    Some(&json(&next)?),
                )
                .await?;
                Ok(next)
            })
        })
        .await?;
    Ok(view(created, now))
}
