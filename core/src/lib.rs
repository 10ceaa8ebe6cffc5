//! Qinxue's shared core: the domain types, the policy rules and the API's wire types.
//!
//! Everything here is pure (no I/O) so that it compiles both for the server and for the
//! WebAssembly front end, and both sides agree on every rule: a 身份证号 the form accepts is one
//! the server accepts, and the 学时 the home page shows are the ones the server requires.

pub mod account;
pub mod activity;
pub mod admin;
pub mod api;
pub mod catalogue;
pub mod certificate;
pub mod completion;
pub mod error_code;
pub mod grade;
pub mod group;
pub mod id_number;
pub mod ledger;
pub mod money;
pub mod office;
pub mod order;
pub mod path_to_requirement;
pub mod phone;
pub mod policy;
pub mod practice;
pub mod reminder;
pub mod time;

pub use account::{EmploymentType, Role};
pub use error_code::ErrorCode;
pub use grade::Grade;
pub use id_number::IdNumber;
pub use phone::Phone;
pub use policy::PolicyYear;
