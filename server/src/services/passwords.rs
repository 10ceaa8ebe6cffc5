//! One-time passwords and setting one's own (issue 11: accounts a roster import makes; issue
//! 14: 忘记密码). There is no e-mail or SMS reset: a unit admin or an office, who can verify
//! the person face to face, resets the password to a one-time one; whoever signs in with a
//! one-time password must set their own before anything else (`access::actor`). Resets and
//! changes are audited.

use crate::access::{AccessError, Actor};
use crate::auth::session;
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::{audit, passwords as store};
use qinxue_core::account::{check_password, PasswordError as WeakPassword};
use qinxue_core::id_number::mask_id_number;
use qinxue_core::office::{PasswordChange, PasswordReset};

/// The characters of a one-time password: lower-case letters and digits without the ones
/// that are easily confused on paper (i, l, o, 0, 1): 31 of them.
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// Length of a one-time password: 10 characters of 31 are 49 bits.
pub const ONE_TIME_LEN: usize = 10;
/// One-time passwords hashed per hashing turn: a sign-in waiting behind a batch waits ~0.1 s.
const BATCH: usize = 100;

/// Why a password is not changed or reset.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error(transparent)]
    Access(#[from] AccessError),
    /// The new password breaks the password rules.
    #[error("weak new password: {0}")]
    Weak(WeakPassword),
    /// The new password is the current one.
    #[error("new password same as the current one")]
    Unchanged,
    /// The current (or one-time) password given is wrong.
    #[error("wrong current password")]
    WrongCurrent,
    /// No such trainee within the admin's reach.
    #[error("not found")]
    NotFound,
    /// A fault of the layers below (database, hashing).
    #[error(transparent)]
    Fault(#[from] AppError),
}

impl From<sqlx::Error> for PasswordError {
    fn from(e: sqlx::Error) -> Self {
        PasswordError::Fault(e.into())
    }
}

/// A new random one-time password.
pub fn one_time_password() -> Result<String, AppError> {
    let mut out = String::with_capacity(ONE_TIME_LEN);
    let mut bytes = [0u8; 32];
    while out.len() < ONE_TIME_LEN {
        getrandom::getrandom(&mut bytes)
            .map_err(|e| AppError::Internal(format!("getrandom: {e}")))?;
        // 248 = 8 × 31: bytes above it are dropped, so every character is equally likely.
        for b in bytes
            .iter()
            .filter(|b| usize::from(**b) < 8 * ALPHABET.len())
        {
            if out.len() == ONE_TIME_LEN {
                break;
            }
            out.push(char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]));
        }
    }
    Ok(out)
}

/// The Argon2id hashes of one-time passwords, in order (a roster import's many at once,
/// taking the hashing threads in turns with sign-ins).
pub async fn hash_one_time(
    state: &AppState,
    passwords: &[String],
) -> Result<Vec<String>, AppError> {
    let mut hashes = Vec::with_capacity(passwords.len());
    for batch in passwords.chunks(BATCH) {
        let turn = state.hashing.turn().await?;
        hashes.extend(turn.hash_one_time(batch.to_vec()).await?);
    }
    Ok(hashes)
}

/// The signed-in person sets their own password; their other sessions end.
pub async fn change(
    state: &AppState,
    actor: &Actor,
    token: &str,
    req: PasswordChange,
) -> Result<(), PasswordError> {
    let user = actor.user().clone();
    check_password(
        &req.new_password,
        user.id_number.as_deref().unwrap_or(""),
        user.phone.as_deref().unwrap_or(""),
    )
    .map_err(PasswordError::Weak)?;
    if req.new_password == req.current_password {
        return Err(PasswordError::Unchanged);
    }
    let turn = state.hashing.turn().await?;
    if !turn
        .verify(req.current_password, user.password_hash.clone())
        .await?
    {
        return Err(PasswordError::WrongCurrent);
    }
    let hash = state.hashing.hash(req.new_password).await?;
    let now = state.clock.now_secs();
    let keep = session::token_hash(token);
    let was_one_time = user.must_change_password;
    state
        .db
        .write(move |c| {
            Box::pin(async move {
                store::set(&mut *c, user.id, &hash, false).await?;
                store::end_other_sessions(&mut *c, user.id, &keep).await?;
                let detail = if was_one_time {
                    "设置了自己的密码（替换一次性密码）"
                } else {
                    "修改了密码"
                };
                audit::record(
                    c,
                    now,
                    Some(user.id),
                    "password.change",
                    &format!("user:{}", user.id),
                    detail,
                )
                .await?;
                Ok(())
            })
        })
        .await?;
    // After the commit: a lookup that read a session before it cannot put it back.
    state.sign_ins.forget_user(user.id);
    Ok(())
}

/// An admin who verified the person resets a trainee's password to a new one-time one (shown
/// once in the answer); the trainee's sessions end, and they set their own at the next sign-in.
/// A trainee outside the admin's unit or region subtree is not found.
pub async fn reset(
    state: &AppState,
    actor: &Actor,
    user_id: i64,
) -> Result<PasswordReset, PasswordError> {
    let (admin, scope) = actor.password_resetter()?;
    let admin_id = admin.id;
    let trainee = {
        let mut conn = state.db.read().await?;
        store::trainee_in(&mut conn, &scope, user_id)
            .await?
            .ok_or(PasswordError::NotFound)?
    };
    let password = one_time_password()?;
    let hash = hash_one_time(state, std::slice::from_ref(&password))
        .await?
        .pop()
        .ok_or_else(|| AppError::Internal("no one-time hash".into()))?;
    let now = state.clock.now_secs();
    let masked = mask_id_number(trainee.id_number.as_deref().unwrap_or(""));
    let detail = format!("{}（{masked}）的密码已重置为一次性密码", trainee.name);
    state
        .db
        .write(move |c| {
            Box::pin(async move {
                store::set(&mut *c, user_id, &hash, true).await?;
                let ended = store::end_sessions(&mut *c, user_id).await?;
                audit::record(
                    c,
                    now,
                    Some(admin_id),
                    "password.reset",
                    &format!("user:{user_id}"),
                    &format!("{detail}，结束登录 {ended} 处"),
                )
                .await?;
                Ok(())
            })
        })
        .await?;
    state.sign_ins.forget_user(user_id);
    Ok(PasswordReset {
        id: trainee.id,
        name: trainee.name,
        id_number: masked,
        password,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_time_passwords_are_ten_unambiguous_characters_and_differ() {
        let a = one_time_password().unwrap();
        let b = one_time_password().unwrap();
        assert_eq!(a.len(), ONE_TIME_LEN);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| ALPHABET.contains(&c)));
        assert!(!a.contains(['i', 'l', 'o', '0', '1']));
        assert_eq!(ALPHABET.len(), 31);
    }
}
