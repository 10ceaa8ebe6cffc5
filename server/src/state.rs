//! What every handler can reach: the database, the clock, the start-up configuration and the
//! payment platform.

use crate::auth::password::Hashing;
use crate::auth::sign_ins::SignIns;
use crate::clock::Clock;
use crate::config::Config;
use crate::payments::PaymentPlatform;
use crate::services::notify_writer::NotifyWriter;
use crate::services::room_events::RoomEvents;
use crate::services::study_writer::StudyWriter;
use crate::storage::Db;
use qinxue_core::ledger::LedgerConfig;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    pub config: Arc<Config>,
    /// A real Argon2id hash of a random password, verified against when a login names no
    /// account, so that the answer takes as long as for a real one.
    pub dummy_password_hash: Arc<str>,
    /// The turns for password hashing (a few at a time; see `auth::password`).
    pub hashing: Hashing,
    /// The crediting rules' settings.
    pub ledger: LedgerConfig,
    /// The group-commit writer of heartbeats.
    pub study: StudyWriter,
    /// Sign-ins remembered for the heartbeat route.
    pub sign_ins: SignIns,
    /// The payment platform (E缴通, or the simulator standing in for it).
    pub payments: Arc<dyn PaymentPlatform>,
    /// Changes of group sessions, for the proctors' consoles on this instance.
    pub rooms: RoomEvents,
    /// The group-commit writer of payment notifications.
    pub notifications: NotifyWriter,
    /// This server as browsers and the payment platform reach it (`QINXUE_PUBLIC_URL`, or
    /// `http://` and the bound address), without a trailing slash.
    pub public_url: Arc<str>,
    /// The certificates' signing key, font and look-up limits.
    pub certificates: Arc<crate::certificates::Certificates>,
}
