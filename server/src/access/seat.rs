//! The second kind of caller: a person at a seat of a group session, and the extractors of
//! the study routes, which take either kind.

use super::{AccessError, Actor, Studier};
use crate::auth::seat::{cookie, has_seat, SEAT_COOKIE};
use crate::auth::session::{token_from, token_hash};
use crate::auth::sign_ins::SignedIn;
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::group_sessions;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use qinxue_core::group::GroupStatus;
use qinxue_core::ErrorCode;

/// Someone signed in at a seat of an open group session (`POST /api/rooms/{code}/sign-in`).
/// Read from the database at every request: seats are few (a room's 60 beat 3 times a
/// second), and a seat signed out must stop at once on every server instance.
#[derive(Debug, Clone)]
pub struct Seat {
    pub seat_id: i64,
    pub group_session_id: i64,
    pub user_id: i64,
    /// The session's course: the only one a seat studies.
    pub course_id: i64,
    /// The policy year its credit counts in.
    pub year: i32,
    /// When the seat page last said it is there.
    pub seen_at: i64,
}

impl Seat {
    /// The seat's person, studying at this seat.
    pub fn studier(&self) -> Studier {
        Studier {
            user_id: self.user_id,
            group_session_id: Some(self.group_session_id),
        }
    }
}

impl FromRequestParts<AppState> for Seat {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = cookie(&parts.headers, SEAT_COOKIE).ok_or(AccessError::Unauthenticated)?;
        let found = {
            let mut conn = state.db.read().await?;
            group_sessions::find_seat(&mut conn, &token_hash(&token))
                .await?
                .ok_or(AccessError::Unauthenticated)?
        };
        if found.left {
            let code = found
                .left_reason
                .map_or(ErrorCode::SeatEnded, |r| r.error_code());
            return Err(AccessError::SeatEnded(code).into());
        }
        if found.status != GroupStatus::Open {
            return Err(AccessError::SeatEnded(ErrorCode::RoomClosed).into());
        }
        Ok(Seat {
            seat_id: found.id,
            group_session_id: found.group_session_id,
            user_id: found.user_id,
            course_id: found.course_id,
            year: found.year,
            seen_at: found.seen_at,
        })
    }
}

/// The caller of a study route: a trainee on their own account, or a seat. An account's
/// session cookie comes first; a seat's credential answers only where there is none (a
/// terminal's sign-in removes the account's), or it has ended.
#[derive(Debug, Clone)]
pub enum Learner {
    Account(Actor),
    Seat(Seat),
}

impl Learner {
    /// Who studies: the account's trainee (other roles are refused), or the seat's person.
    pub fn studier(&self) -> Result<Studier, AccessError> {
        match self {
            Learner::Account(actor) => actor.studier(),
            Learner::Seat(seat) => Ok(seat.studier()),
        }
    }
}

impl FromRequestParts<AppState> for Learner {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let seat = has_seat(&parts.headers);
        if token_from(&parts.headers).is_some() {
            match Actor::from_request_parts(parts, state).await {
                Ok(actor) => return Ok(Learner::Account(actor)),
                Err(e) if !seat => return Err(e),
                Err(_) => {}
            }
        }
        if !seat {
            return Err(AccessError::Unauthenticated.into());
        }
        Ok(Learner::Seat(Seat::from_request_parts(parts, state).await?))
    }
}

/// The caller of the heartbeat route: a remembered sign-in (`auth::sign_ins`, for speed) or
/// a seat, chosen as [`Learner`] chooses.
#[derive(Debug, Clone)]
pub enum Beater {
    Account(SignedIn),
    Seat(Seat),
}

impl Beater {
    /// Who studies: the account's trainee (other roles are refused), or the seat's person.
    pub fn studier(&self) -> Result<Studier, AccessError> {
        match self {
            Beater::Account(signed_in) => signed_in.trainee().map(Studier::account),
            Beater::Seat(seat) => Ok(seat.studier()),
        }
    }
}

impl FromRequestParts<AppState> for Beater {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let seat = has_seat(&parts.headers);
        if token_from(&parts.headers).is_some() {
            match SignedIn::from_request_parts(parts, state).await {
                Ok(who) => return Ok(Beater::Account(who)),
                Err(e) if !seat => return Err(e),
                Err(_) => {}
            }
        }
        if !seat {
            return Err(AccessError::Unauthenticated.into());
        }
        Ok(Beater::Seat(Seat::from_request_parts(parts, state).await?))
    }
}
