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
use qinxue_core::{ErrorCode, Role};

/// A new session: what the client is told, and the token for its cookie.
#[derive(Debug)]
pub struct SignedIn {
    pub user: SessionUser,
    pub token: String,
}

/// Creates a trainee account and signs it in. Uniqueness of 身份证号 and phone is left to the
/// database's constraints, so two simultaneous registrations cannot both succeed.
pub async fn register(state: &AppState, req: RegisterRequest) -> Result<SignedIn, AppError> {
    let now = state.clock.now();
    let new = req
        .validate(local_date(now))
        .map_err(AppError::Validation)?;
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
                    return Err(AppError::field(
                        "unit_id",
                        ErrorCode::UnknownUnit,
                        "所选单位不存在",
                    ));
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
        Some(c) if c.contains("id_number") => AppError::Conflict(FieldError::new(
            "id_number",
            ErrorCode::IdNumberTaken,
            ErrorCode::IdNumberTaken.default_message(),
        )),
        Some(c) if c.contains("phone") => AppError::Conflict(FieldError::new(
            "phone",
            ErrorCode::PhoneTaken,
            ErrorCode::PhoneTaken.default_message(),
        )),
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
pub async fn login(state: &AppState, req: LoginRequest, ip: String) -> Result<SignedIn, AppError> {
    let login = normalise_login(&req.login);
    let mut missing = Vec::new();
    if login.is_empty() {
        missing.push(FieldError::new(
            "login",
            ErrorCode::ValidationFailed,
            "请输入身份证号、手机号或用户名",
        ));
    }
    if req.password.is_empty() {
        missing.push(FieldError::new(
            "password",
            ErrorCode::ValidationFailed,
            "请输入密码",
        ));
    }
    if !missing.is_empty() {
        return Err(AppError::Validation(missing));
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
        return Err(AppError::InvalidCredentials);
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
pub async fn logout(state: &AppState, actor: &Actor, token: String) -> Result<(), AppError> {
    let now = state.clock.now_secs();
    let (id, admin) = (actor.id(), actor.is_admin());
    let hash = session::token_hash(&token);
    state
        .db
        .write(move |c| {
            Box::pin(async move {
                sessions::delete(&mut *c, &hash).await?;
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
pub async fn me(state: &AppState, actor: Actor) -> Result<Me, AppError> {
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
