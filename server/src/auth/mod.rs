//! Authentication: password hashing, session cookies, remembered sign-ins and login limits.
//! Who the signed-in person is and what they may do is `crate::access`.

pub mod password;
pub mod rate_limit;
pub mod seat;
pub mod session;
pub mod sign_ins;
