//! The eligibility look-up for exam offices (DESIGN.md §8): did this person complete that
//! year? Answered with the figures their certificate would state, for callers holding an API
//! token that the provincial admin made; every look-up is audited and each token is limited
//! (`Certificates::lookup_limit`). Also the tokens' making, listing and revoking.

use crate::access::{AccessError, Actor, ApiClient};
use crate::auth::session::{new_token, token_hash};
use crate::error::AppError;
use crate::services::completion;
use crate::state::AppState;
use crate::storage::{api_tokens, audit, stored_enum};
use chrono::{DateTime, Datelike};
use qinxue_core::api::{ApiTokenCreated, ApiTokenInfo, CreateApiToken, Eligibility};
use qinxue_core::time::local_date;
use qinxue_core::{Grade, IdNumber};

/// Longest token name, in characters.
pub const MAX_NAME_CHARS: usize = 60;

/// Why a look-up is not answered, or a token not made or revoked.
#[derive(Debug, thiserror::Error)]
pub enum EligibilityError {
    #[error(transparent)]
    Access(#[from] AccessError),
    /// The 身份证号 asked about is not one; the message says why.
    #[error("invalid id number: {0}")]
    InvalidIdNumber(String),
    /// A year before 2000 or after this one.
    #[error("year out of range")]
    YearOutOfRange,
    /// The token has used up its look-ups for now.
    #[error("look-up limit reached")]
    RateLimited,
    /// A token name that is empty, too long or holds control characters.
    #[error("invalid token name")]
    InvalidName,
    /// No such token.
    #[error("no such token")]
    NotFound,
    /// A fault of the layers below (database, random numbers, stored data).
    #[error(transparent)]
    Fault(#[from] AppError),
}

impl From<sqlx::Error> for EligibilityError {
    fn from(e: sqlx::Error) -> Self {
        EligibilityError::Fault(e.into())
    }
}

/// `GET /api/eligibility?id_number=&year=`.
pub async fn look_up(
    state: &AppState,
    client: &ApiClient,
    id_number: &str,
    year: i32,
) -> Result<Eligibility, EligibilityError> {
    let now = state.clock.now();
    let id = IdNumber::parse(id_number, local_date(now))
        .map_err(|e| EligibilityError::InvalidIdNumber(e.to_string()))?;
    if !(2000..=local_date(now).year()).contains(&year) {
        return Err(EligibilityError::YearOutOfRange);
    }
    if !state
        .certificates
        .lookup_limit
        .allow(&format!("token:{}", client.token_id), now.timestamp())
    {
        return Err(EligibilityError::RateLimited);
    }
    let answer = {
        let mut conn = state.db.read().await?;
        let scope = client.eligibility();
        match api_tokens::person_by_id_number(&mut conn, &scope, id.as_str()).await? {
            None => None,
            Some((user_id, grade)) => {
                let grade = grade
                    .map(|g| stored_enum(&g, Grade::from_wire))
                    .transpose()?;
                let years = completion::of_trainee(&mut conn, user_id, grade, now).await?;
                years
                    .unwrap_or_default()
                    .into_iter()
                    .find(|y| y.policy.year == year)
            }
        }
    };
    let masked = id.masked();
    let eligibility = match answer {
        Some(y) => {
            let per_tenth = i64::from(y.policy.minutes_per_hour.max(1)) * 6;
            Eligibility {
                id_number: masked,
                year,
                completed: y.outcome.completed,
                required_hours: y.required_hours(),
                credited_hours: (y.outcome.credited.total() / per_tenth) as f64 / 10.0,
                completed_at: y
                    .outcome
                    .completed_at
                    .and_then(|t| DateTime::from_timestamp(t, 0)),
            }
        }
        // Nobody by that number, or a year before they registered: not completed, and
        // nothing more said.
        None => Eligibility {
            id_number: masked,
            year,
            completed: false,
            required_hours: 0,
            credited_hours: 0.0,
            completed_at: None,
        },
    };
    let (token_id, at) = (client.token_id, now.timestamp());
    let detail = format!(
        "{}：{} {}年度 {}",
        client.name,
        eligibility.id_number,
        year,
        if eligibility.completed {
            "已完成"
        } else {
            "未完成"
        }
    );
    state
        .db
        .write(move |c| {
            Box::pin(async move {
                api_tokens::touch(&mut *c, token_id, at).await?;
                audit::record(
                    c,
                    at,
                    None,
                    "eligibility.lookup",
                    &format!("api_token:{token_id}"),
                    &detail,
                )
                .await?;
                Ok(())
            })
        })
        .await?;
    Ok(eligibility)
}

/// `POST /api/admin/api-tokens`: a new token, shown this once; stored as its hash. Audited.
pub async fn create_token(
    state: &AppState,
    actor: &Actor,
    req: CreateApiToken,
) -> Result<ApiTokenCreated, EligibilityError> {
    let admin = actor.token_manager()?;
    let name = req.name.trim().to_owned();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(EligibilityError::InvalidName);
    }
    // The prefix tells a leaked token for what it is (secret scanners look for such).
    let (secret, _) = new_token()?;
    let token = format!("qxe_{secret}");
    let hash = token_hash(&token);
    let (admin_id, now) = (admin.id, state.clock.now_secs());
    let stored_name = name.clone();
    let id = state
        .db
        .write(move |c| {
            Box::pin(async move {
                let id = api_tokens::insert(&mut *c, &stored_name, &hash, admin_id, now).await?;
                audit::record(
                    c,
                    now,
                    Some(admin_id),
                    "api_token.create",
                    &format!("api_token:{id}"),
                    &stored_name,
                )
                .await?;
                Ok(id)
            })
        })
        .await?;
    Ok(ApiTokenCreated { id, name, token })
}

/// `GET /api/admin/api-tokens`: every token, without the tokens themselves.
pub async fn list_tokens(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<ApiTokenInfo>, EligibilityError> {
    actor.token_manager()?;
    let mut conn = state.db.read().await?;
    let at = |t: i64| DateTime::from_timestamp(t, 0).unwrap_or_default();
    Ok(api_tokens::list(&mut conn)
        .await?
        .into_iter()
        .map(|t| ApiTokenInfo {
            id: t.id,
            name: t.name,
            created_at: at(t.created_at),
            revoked_at: t.revoked_at.map(at),
            last_used_at: t.last_used_at.map(at),
        })
        .collect())
}

/// `DELETE /api/admin/api-tokens/{id}`: revokes a token at once (its next request gets 401).
/// Revoking a revoked token changes nothing; an unknown one is not found. Audited.
pub async fn revoke_token(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<(), EligibilityError> {
    let admin_id = actor.token_manager()?.id;
    let now = state.clock.now_secs();
    state
        .db
        .write_as::<_, EligibilityError, _>(move |c| {
            Box::pin(async move {
                let revoked = api_tokens::revoke(&mut *c, id, now)
                    .await?
                    .ok_or(EligibilityError::NotFound)?;
                if revoked {
                    audit::record(
                        c,
                        now,
                        Some(admin_id),
                        "api_token.revoke",
                        &format!("api_token:{id}"),
                        "",
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .await
}
