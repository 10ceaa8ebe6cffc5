//! Use cases: what a request asks for, in domain terms, between the routes and storage.

pub mod accounts;
pub mod activities;
pub mod audit_log;
pub mod certificates;
pub mod completion;
pub mod course_admin;
pub mod eligibility;
pub mod group_sessions;
pub mod notify_writer;
pub mod orders;
pub mod passwords;
pub mod payments;
pub mod policy;
pub mod policy_admin;
pub mod practice;
pub mod question_import;
pub mod reminders;
pub mod reports;
pub mod room_events;
pub mod roster;
pub mod seats;
pub mod selection;
pub mod spreadsheet;
pub mod staff;
pub mod study;
pub mod study_writer;
