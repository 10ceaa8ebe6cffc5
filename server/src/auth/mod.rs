//! Authentication: password hashing, session cookies, the signed-in user, and login limits.

pub mod password;
pub mod rate_limit;
pub mod session;

pub use session::CurrentUser;
