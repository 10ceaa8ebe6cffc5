//! Who may do what: the one place a reader looks.
//!
//! Every handler takes an [`Actor`] (who is calling: a signed-in person, with their role, unit
//! and home region's path) and asks it for the capability the route needs —
//! [`Actor::trainee`], [`Actor::unit_admin`], [`Actor::course_manager`], [`Actor::payer`],
//! [`Actor::people`], [`Actor::policy_manager`], [`Actor::office`], [`Actor::audit_reader`] —
//! instead of comparing roles itself. A refusal is an [`AccessError`].
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

pub use actor::{Actor, AuditReach, Payer};
pub use api_client::ApiClient;
pub use scope::{Scope, Within};

/// Why a request is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// Nobody is signed in (or the sign-in has ended).
    #[error("not signed in")]
    Unauthenticated,
    /// The caller is signed in but their role may not use this route.
    #[error("not allowed for this role")]
    Forbidden,
}

impl From<AccessError> for crate::error::AppError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Unauthenticated => crate::error::AppError::Unauthenticated,
            AccessError::Forbidden => crate::error::AppError::Forbidden,
        }
    }
}

/// Whether a role administers something (and so its sign-ins and sign-outs are audited).
pub fn is_admin(role: qinxue_core::Role) -> bool {
    role != qinxue_core::Role::Trainee
}

#[cfg(test)]
mod tests;
