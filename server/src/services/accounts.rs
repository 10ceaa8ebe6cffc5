//! Registering, signing in and out, and describing the signed-in person.

use crate::access::{self, Actor};
use crate::auth::{rate_limit, session};
use crate::error::{unique_violation, AppError};
use crate::services::policy;
use crate::state::AppState;
use crate::storage::{audit, enrolments, login_attempts, regions, sessions, units, users};
use crate::views::directory as view;
use qinxue_core::api::{FieldError, LoginRequest, Me, RegisterRequest, SessionUser, YearInfo};
use qinxue_core::id_number::mask_id_number;
use qinxue_core::phone::mask_phone;
use qinxue_core::time::local_date;
use qinxue_core::Role;

/// Why an account is not registered or signed in.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Fields of a registration that break the rules, each with its message.
    #[error("invalid registration: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("unknown unit")]
    UnknownUnit,
    #[error("身份证号 taken")]
    IdNumberTaken,
    #[error("phone taken")]
    PhoneTaken,
    /// A sign-in without its login, its password, or both.
    #[error("sign-in incomplete (login missing: {login}, password missing: {password})")]
    Incomplete { login: bool, password: bool },
    #[error("wrong login or password")]
    InvalidCredentials,
    /// What the layers below refused or failed at (sign-in limits, hashing turns, database).
    #[error(transparent)]
    Fault(#[from] AppError),
}

impl From<sqlx::Error> for AccountError {
    fn from(e: sqlx::Error) -> Self {
        AccountError::Fault(e.into())
    }
}

/// A new session: what the client is told, and the token for its cookie.
#[derive(Debug)]
pub struct SignedIn {
    pub user: SessionUser,
    pub token: String,
}

/// Creates a trainee account and signs it in. Uniqueness of 身份证号 and phone is left to the
/// database's constraints, so two simultaneous registrations cannot both succeed.
pub async fn register(state: &AppState, req: RegisterRequest) -> Result<SignedIn, AccountError> {
    let now = state.clock.now();
    let new = req
        .validate(local_date(now))
        .map_err(AccountError::Invalid)?;
    let password_hash = state.hashing.hash(new.password.clone()).await?;
    let (token, token_hash) = session::new_token()?;
    let now = now.timestamp();
    let user = users::NewUser {
        role: Role::Trainee,
        username: None,
        id_number: Some(new.id_number.as_str().to_owned()),
        phone: Some(new.phone.as_str().to_owned()),
        name: new.name.clone(),
        password_hash,
        unit_id: Some(new.unit_id),
        region_code: None,
        employment_type: Some(new.employment_type),
        trade: Some(new.trade.clone()),
        grade: Some(new.grade),
    };
    let id = state
        .db
        .write(move |c| {
            Box::pin(async move {
                if units::get(&mut *c, user.unit_id.unwrap_or_default())
                    .await?
                    .is_none()
                {
                    return Err(AccountError::UnknownUnit.into());
                }
                let id = users::insert(&mut *c, &user, now).await.map_err(taken)?;
                sessions::insert(c, &token_hash, id, now, now + session::SESSION_SECS).await?;
                Ok(id)
            })
        })
        .await?;
    tracing::info!(user_id = id, "trainee registered");
    Ok(SignedIn {
        user: SessionUser {
            id,
            name: new.name,
            role: Role::Trainee,
        },
        token,
    })
}

fn taken(err: sqlx::Error) -> AppError {
    match unique_violation(&err) {
        Some(c) if c.contains("id_number") => AccountError::IdNumberTaken.into(),
        Some(c) if c.contains("phone") => AccountError::PhoneTaken.into(),
        _ => AppError::Database(err),
    }
}

/// How a login is written in storage: trimmed, and a 身份证号's `x` in upper case.
fn normalise_login(login: &str) -> String {
    let login = login.trim();
    if login.len() == 18 && login.is_ascii() {
        login.to_ascii_uppercase()
    } else {
        login.to_owned()
    }
}

/// Signs in with a 身份证号, phone or username. Every attempt is recorded for the limits, as a
/// failure before its password is checked (`rate_limit::reserve`) and a success after.
pub async fn login(
    state: &AppState,
    req: LoginRequest,
    ip: String,
) -> Result<SignedIn, AccountError> {
    let login = normalise_login(&req.login);
    let (login_missing, password_missing) = (login.is_empty(), req.password.is_empty());
    if login_missing || password_missing {
        return Err(AccountError::Incomplete {
            login: login_missing,
            password: password_missing,
        });
    }
    let now = state.clock.now_secs();
    let user = {
        let mut conn = state.db.read().await?;
        rate_limit::check(&mut conn, &ip, &login, now).await?;
        // Over-long input cannot name an account; it still costs a hash below.
        if login.chars().count() > 64 {
            None
        } else {
            users::find_by_login(&mut conn, &login).await?
        }
    };
    let stored = user.as_ref().map_or_else(
        || state.dummy_password_hash.to_string(),
        |u| u.password_hash.clone(),
    );
    let turn = state.hashing.turn().await?;
    let attempt = rate_limit::reserve(&state.db, &ip, &login, now).await?;
    let password_ok = turn.verify(req.password, stored).await? && user.is_some();
    let Some(user) = user.filter(|_| password_ok) else {
        return Err(AccountError::InvalidCredentials);
    };
    let (token, token_hash) = session::new_token()?;
    let (id, admin) = (user.id, access::is_admin(user.role));
    state
        .db
        .write(move |c| {
            Box::pin(async move {
                login_attempts::mark_success(&mut *c, attempt).await?;
                sessions::insert(&mut *c, &token_hash, id, now, now + session::SESSION_SECS)
                    .await?;
                if admin {
                    audit::record(c, now, Some(id), "sign_in", &format!("user:{id}"), &ip).await?;
                }
                Ok(())
            })
        })
        .await?;
    Ok(SignedIn {
        user: SessionUser {
            id: user.id,
            name: user.name,
            role: user.role,
        },
        token,
    })
}

/// Ends the session of this cookie.
pub async fn logout(state: &AppState, actor: &Actor, token: String) -> Result<(), AccountError> {
    let now = state.clock.now_secs();
    let (id, admin) = (actor.id(), actor.is_admin());
    let hash = session::token_hash(&token);
    state
        .db
        .write(move |c| {
            Box::pin(async move {
                sessions::delete(&mut *c, &hash).await?;
                sessions::announce_ended(&mut *c, id).await?;
                if admin {
                    audit::record(c, now, Some(id), "sign_out", &format!("user:{id}"), "").await?;
                }
                Ok(())
            })
        })
        .await?;
    // After the commit: a lookup that read the session before it cannot put it back.
    state.sign_ins.forget(&token);
    Ok(())
}

/// The signed-in person and what the year in force asks of them.
pub async fn me(state: &AppState, actor: Actor) -> Result<Me, AccountError> {
    let is_trainee = actor.trainee().is_ok();
    let user = actor.into_user();
    let now = state.clock.now();
    let year = policy::in_force(state, now).await?;
    let mut conn = state.db.read().await?;
    let unit = match user.unit_id {
        Some(id) => match units::get(&mut conn, id).await? {
            Some(u) => Some(view::unit(u, &regions::list(&mut conn).await?)),
            None => None,
        },
        None => None,
    };
    let region = match user.region_code.as_deref() {
        Some(code) => regions::get(&mut conn, code).await?.map(view::region),
        None => None,
    };
    // The grade a year was enrolled with decides that year, even if the person's grade
    // changed since.
    let grade = match user.grade.filter(|_| is_trainee) {
        Some(current) => Some(
            enrolments::grade_for(&mut conn, user.id, year.year)
                .await?
                .unwrap_or(current),
        ),
        None => None,
    };
    let enrolled = is_trainee && enrolments::is_active(&mut conn, user.id, year.year).await?;
    Ok(Me {
        id: user.id,
        name: user.name,
        role: user.role,
        grade,
        id_number: user.id_number.as_deref().map(mask_id_number),
        phone: user.phone.as_deref().map(mask_phone),
        employment_type: user.employment_type,
        trade: user.trade,
        unit,
        region,
        year: Some(YearInfo {
            year: year.year,
            required_hours: grade.map(|g| year.required_hours(g)),
            fee_fen: grade.map(|g| year.fee_fen(g)),
            registration_deadline: year.registration_closes_at(),
            study_deadline: year.study_closes_at(),
            minutes_per_hour: year.minutes_per_hour,
            registration_open: year.registration_open(now),
            study_open: year.study_open(now),
            enrolled,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::normalise_login;

    #[test]
    fn logins_are_trimmed_and_id_numbers_upper_cased() {
        assert_eq!(
            normalise_login(" 11010519491231002x "),
            "11010519491231002X"
        );
        assert_eq!(normalise_login(" province-admin "), "province-admin");
    }
}
