//! One module per page; each is a component that the router mounts.

pub mod catalogue;
pub mod certificate;
pub mod enrol;
pub mod help;
pub mod home;
pub mod lesson;
pub mod login;
pub mod not_found;
pub mod orders;
pub mod password;
pub mod pay_return;
pub mod practice;
pub mod register;
pub mod study;
pub mod verify;
