//! Integration tests: each test starts the real server on a random port with a fresh
//! database (SQLite in a temp folder, or a new PostgreSQL database when
//! `QINXUE_TEST_DATABASE_URL` names a server) and talks to it over HTTP.

mod activities;
mod admin_courses;
mod audit;
mod authz;
mod backup;
mod bad_input;
mod catalogue;
mod certificates;
mod completion;
mod directory;
mod eligibility;
mod group_sessions;
mod helpers;
mod instances;
mod login;
mod passwords;
mod payments;
mod persistence;
mod policy_years;
mod practice_credit;
mod registration;
mod reminders;
mod reports;
mod request_ids;
mod revocations;
mod roster;
mod security;
mod shutdown;
mod sim;
mod slow_clients;
mod staff;
mod storm;
mod study;
mod system;
