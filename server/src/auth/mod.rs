//! Authentication: password hashing, session cookies, the signed-in user, and login limits.

pub mod password;
pub mod rate_limit;
pub mod session;
pub mod sign_ins;

pub use session::CurrentUser;
