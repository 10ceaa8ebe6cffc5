//! Who may do what: the one place a reader looks.
//!
//! Every handler takes an [`Actor`] (who is calling: a signed-in person, with their role, unit
//! and home region's path) and asks it for the capability the route needs —
//! [`Actor::trainee`], [`Actor::unit_admin`], [`Actor::course_manager`], [`Actor::payer`],
//! [`Actor::people`], [`Actor::policy_manager`], [`Actor::office`], [`Actor::audit_reader`],
//! [`Actor::office_admin`], [`Actor::proctor`], [`Actor::group_sessions`] —
//! instead of comparing roles itself. A refusal is an [`AccessError`].
//!
//! A second kind of caller is a [`Seat`]: someone signed in at a terminal of an open group
//! session by its PIN (DESIGN.md §8), with a seat cookie of its own. It is accepted by the
//! study routes of that session only, which take a [`Learner`] (or, for heartbeats, a
//! [`Beater`]): an account's trainee or a seat, each studying as a [`Studier`]. Every route
//! that takes an `Actor` refuses a seat credential with `seat_only`.
//!
//! Records of other people are read through a [`Scope`] (one person, one unit, a region
//! subtree), which only this module can make from an actor, and which every storage query
//! over such records takes as a parameter, so that such a query cannot be written without
//! one. A record outside the scope is simply not found: its existence is private, so the
//! answer is 404, never 403.
//!
//! Regions form a tree kept as materialised paths (`regions.path`, `/350000/350500/350502/`,
//! unique and so indexed): a region's subtree is every region whose path starts with its own.

mod actor;
mod api_client;
mod scope;
mod seat;

pub use actor::{Actor, AuditReach, Payer};
pub use api_client::ApiClient;
pub use scope::{Scope, Within};
pub use seat::{Beater, Learner, Seat};

/// Whose study a request changes: a trainee on their own account, or a person at a seat of a
/// group session. A study session answers only to the kind of caller it was opened by, so a
/// seat's study is never continued from an account (or the other way round).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Studier {
    pub user_id: i64,
    /// The group session whose seat this is; none on the trainee's own account.
    pub group_session_id: Option<i64>,
}

impl Studier {
    /// A trainee on their own account.
    pub fn account(user_id: i64) -> Self {
        Studier {
            user_id,
            group_session_id: None,
        }
    }
}

/// Why a request is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// Nobody is signed in (or the sign-in has ended).
    #[error("not signed in")]
    Unauthenticated,
    /// The caller is signed in but their role may not use this route.
    #[error("not allowed for this role")]
    Forbidden,
    /// A seat's credential, on a route outside its group session's study.
    #[error("a seat credential outside its study routes")]
    SeatOnly,
    /// A seat's credential that has ended, with why (its error code).
    #[error("seat ended: {0:?}")]
    SeatEnded(qinxue_core::ErrorCode),
}

impl From<AccessError> for crate::error::AppError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Unauthenticated => crate::error::AppError::Unauthenticated,
            AccessError::Forbidden => crate::error::AppError::Forbidden,
            AccessError::SeatOnly => {
                crate::error::AppError::Refused(qinxue_core::ErrorCode::SeatOnly)
            }
            AccessError::SeatEnded(code) => crate::error::AppError::Refused(code),
        }
    }
}

/// Whether a role administers something (and so its sign-ins and sign-outs are audited).
pub fn is_admin(role: qinxue_core::Role) -> bool {
    role != qinxue_core::Role::Trainee
}

#[cfg(test)]
mod tests;
