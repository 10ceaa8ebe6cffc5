//! The caller of a request, and the capabilities routes ask it for.

use super::{AccessError, Scope};
use crate::auth::seat;
use crate::auth::session::{token_from, token_hash, SESSION_SECS};
use crate::auth::sign_ins::SignedIn;
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::{sessions, users::User};
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use qinxue_core::order::OrderKind;
use qinxue_core::Role;

/// The signed-in person making a request: their account, and the path of the region they
/// belong to (an admin's own region, else their unit's). A route that takes it answers 401
/// to everyone who is not signed in; `Option<Actor>` refuses nobody.
#[derive(Debug, Clone)]
pub struct Actor {
    user: User,
    region_path: Option<String>,
}

/// Who pays for registrations: a trainee for themself, or a unit admin for staff of their unit.
#[derive(Debug, Clone, Copy)]
pub enum Payer<'a> {
    Trainee(&'a User),
    Unit { admin: &'a User, unit_id: i64 },
}

/// The part of the audit log a reader sees (see [`Actor::audit_reader`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditReach {
    All,
    /// The actions of people (and their units) inside a region subtree.
    Within(Scope),
}

impl Payer<'_> {
    /// The account paying.
    pub fn user(&self) -> &User {
        match self {
            Payer::Trainee(user) | Payer::Unit { admin: user, .. } => user,
        }
    }

    /// Whether this payer may open the payment of an order: the trainee of an individual
    /// order, an admin of the unit of a unit order.
    pub fn may_pay(&self, kind: OrderKind, payer_id: i64, unit_id: Option<i64>) -> bool {
        match (self, kind) {
            (Payer::Trainee(user), OrderKind::Individual) => payer_id == user.id,
            (Payer::Unit { unit_id: own, .. }, OrderKind::Unit) => unit_id == Some(*own),
            _ => false,
        }
    }

    /// The orders this payer may see: a trainee's own (and those of their unit that pay for
    /// them), or a unit admin's unit's.
    pub fn orders(&self) -> Scope {
        match self {
            Payer::Trainee(user) => Scope::person(user.id),
            Payer::Unit { unit_id, .. } => Scope::unit(*unit_id),
        }
    }
}

impl Actor {
    /// The account as stored.
    pub fn user(&self) -> &User {
        &self.user
    }

    pub fn into_user(self) -> User {
        self.user
    }

    pub fn id(&self) -> i64 {
        self.user.id
    }

    /// Whether this person's sign-ins and actions are an administrator's (audited).
    pub fn is_admin(&self) -> bool {
        super::is_admin(self.user.role)
    }

    /// A trainee, for their own study, practice, plan and registration.
    pub fn trainee(&self) -> Result<&User, AccessError> {
        match self.user.role {
            Role::Trainee => Ok(&self.user),
            _ => Err(AccessError::Forbidden),
        }
    }

    /// A unit admin, with their unit.
    pub fn unit_admin(&self) -> Result<(&User, i64), AccessError> {
        match (self.user.role, self.user.unit_id) {
            (Role::UnitAdmin, Some(unit)) => Ok((&self.user, unit)),
            _ => Err(AccessError::Forbidden),
        }
    }

    /// The provincial admin, who manages the course catalogue.
    pub fn course_manager(&self) -> Result<&User, AccessError> {
        match self.user.role {
            Role::ProvincialAdmin => Ok(&self.user),
            _ => Err(AccessError::Forbidden),
        }
    }

    /// The provincial admin, who makes and revokes the API tokens of exam offices.
    pub fn token_manager(&self) -> Result<&User, AccessError> {
        match self.user.role {
            Role::ProvincialAdmin => Ok(&self.user),
            _ => Err(AccessError::Forbidden),
        }
    }

    /// The provincial admin, who sets the policy years and approves supplementary activities.
    pub fn policy_manager(&self) -> Result<&User, AccessError> {
        match self.user.role {
            Role::ProvincialAdmin => Ok(&self.user),
            _ => Err(AccessError::Forbidden),
        }
    }

    /// An office (市/县工考办) or the provincial admin, with the region subtree they answer
    /// for: their reports, exports and activities stay inside it.
    pub fn office(&self) -> Result<(&User, Scope), AccessError> {
        match (self.user.role, self.region_path.as_deref()) {
            (Role::OfficeAdmin | Role::ProvincialAdmin, Some(path)) => {
                Ok((&self.user, Scope::region(path)))
            }
            _ => Err(AccessError::Forbidden),
        }
    }

    /// Whose actions this person may read in the audit log: the province everyone's (also
    /// the server's own, which has no actor), an office those of the people in its subtree.
    pub fn audit_reader(&self) -> Result<AuditReach, AccessError> {
        match (self.user.role, self.region_path.as_deref()) {
            (Role::ProvincialAdmin, _) => Ok(AuditReach::All),
            (Role::OfficeAdmin, Some(path)) => Ok(AuditReach::Within(Scope::region(path))),
            _ => Err(AccessError::Forbidden),
        }
    }

    /// Someone who registers and pays: a trainee for themself, a unit admin for their staff.
    pub fn payer(&self) -> Result<Payer<'_>, AccessError> {
        match (self.user.role, self.user.unit_id) {
            (Role::Trainee, _) => Ok(Payer::Trainee(&self.user)),
            (Role::UnitAdmin, Some(unit_id)) => Ok(Payer::Unit {
                admin: &self.user,
                unit_id,
            }),
            _ => Err(AccessError::Forbidden),
        }
    }

    /// An office admin (市/县工考办), who schedules group sessions and corrects their
    /// attendance inside their region's subtree: the scope of the sessions and people they
    /// may reach.
    pub fn office_admin(&self) -> Result<(&User, Scope), AccessError> {
        match (self.user.role, self.region_path.as_deref()) {
            (Role::OfficeAdmin, Some(path)) => Ok((&self.user, Scope::region(path))),
            _ => Err(AccessError::Forbidden),
        }
    }

    /// A proctor, who runs the group sessions they are named for: the scope of those
    /// sessions (`Within::Person`, the proctor). Proctors read people only through them.
    pub fn proctor(&self) -> Result<(&User, Scope), AccessError> {
        match self.user.role {
            Role::Proctor => Ok((&self.user, Scope::person(self.user.id))),
            _ => Err(AccessError::Forbidden),
        }
    }

    /// The group sessions this person may look at: an office admin's region subtree's, or
    /// the ones a proctor runs.
    pub fn group_sessions(&self) -> Result<Scope, AccessError> {
        self.office_admin()
            .or_else(|_| self.proctor())
            .map(|(_, scope)| scope)
    }

    /// Whose personal records this person may read: a trainee their own, a unit admin their
    /// unit's staff, an office or provincial admin everyone in their region's subtree.
    /// Proctors read people only through the group sessions they run.
    pub fn people(&self) -> Result<Scope, AccessError> {
        match self.user.role {
            Role::Trainee => Ok(Scope::person(self.user.id)),
            Role::UnitAdmin => self
                .user
                .unit_id
                .map(Scope::unit)
                .ok_or(AccessError::Forbidden),
            Role::OfficeAdmin | Role::ProvincialAdmin => self
                .region_path
                .as_deref()
                .map(Scope::region)
                .ok_or(AccessError::Forbidden),
            Role::Proctor => Err(AccessError::Forbidden),
        }
    }
}

impl Actor {
    /// Whose passwords this person may reset after verifying them (忘记密码): a unit admin their
    /// unit's trainees, an office or the province the trainees in their region's subtree.
    pub fn password_resetter(&self) -> Result<(&User, Scope), AccessError> {
        match self.user.role {
            Role::UnitAdmin | Role::OfficeAdmin | Role::ProvincialAdmin => {
                self.people().map(|scope| (&self.user, scope))
            }
            _ => Err(AccessError::Forbidden),
        }
    }
}

impl SignedIn {
    /// The heartbeat route's caller, remembered (see `auth::sign_ins`): only trainees beat.
    pub fn trainee(&self) -> Result<i64, AccessError> {
        match self.role {
            Role::Trainee => Ok(self.user_id),
            _ => Err(AccessError::Forbidden),
        }
    }
}

impl Actor {
    /// A trainee studying on their own account.
    pub fn studier(&self) -> Result<super::Studier, AccessError> {
        self.trainee().map(|u| super::Studier::account(u.id))
    }
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // A seat's credential opens its group session's study routes only (`Learner`).
        let refused = if seat::has_seat(&parts.headers) {
            AccessError::SeatOnly
        } else {
            AccessError::Unauthenticated
        };
        let token = token_from(&parts.headers).ok_or(refused)?;
        let hash = token_hash(&token);
        let now = state.clock.now_secs();
        let found = {
            let mut conn = state.db.read().await?;
            sessions::find_user(&mut conn, &hash, now)
                .await?
                .ok_or(refused)?
        };
        // Use renews a session once half of it has passed (`auth::session`).
        if found.expires_at - now < SESSION_SECS / 2 {
            state
                .db
                .write(move |c| {
                    Box::pin(
                        async move { Ok(sessions::extend(c, &hash, now + SESSION_SECS).await?) },
                    )
                })
                .await?;
        }
        if found.user.must_change_password && !password_change_path(parts) {
            return Err(AppError::Refused(
                qinxue_core::ErrorCode::PasswordChangeRequired,
            ));
        }
        Ok(Actor {
            user: found.user,
            region_path: found.region_path,
        })
    }
}

/// The routes open to someone who signed in with a one-time password: who they are, setting
/// their own password, and signing out. Every other route refuses them until the password is
/// set (checked here, where every route's caller is made, so no route can forget it).
pub const PASSWORD_CHANGE_PATHS: [&str; 3] = ["/api/me", "/api/me/password", "/api/auth/logout"];

fn password_change_path(parts: &Parts) -> bool {
    let path = parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map_or_else(|| parts.uri.path(), |u| u.0.path());
    PASSWORD_CHANGE_PATHS.contains(&path)
}

impl OptionalFromRequestParts<AppState> for Actor {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        match <Actor as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(actor) => Ok(Some(actor)),
            Err(AppError::Unauthenticated) => Ok(None),
            Err(AppError::Refused(qinxue_core::ErrorCode::SeatOnly)) => Ok(None),
            // Public pages treat a person who has yet to set their password as signed out.
            Err(AppError::Refused(qinxue_core::ErrorCode::PasswordChangeRequired)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
impl Actor {
    /// An actor as the extractor would make it, for the access rules' unit tests.
    pub(super) fn for_test(user: User, region_path: Option<&str>) -> Self {
        Actor {
            user,
            region_path: region_path.map(str::to_owned),
        }
    }
}
