//! Integration tests: each test starts the real simulator on a random port, and usually a
//! small merchant endpoint beside it, and talks to both over HTTP.

mod cashier;
mod helpers;
mod notifications;
mod payments;
