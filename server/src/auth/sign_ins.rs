//! Who a session cookie signs in, remembered briefly: the heartbeat route's sign-in check.
//!
//! A heartbeat is the most frequent request there is, and reading its cookie's session from
//! the database cost more than the rest of it. Sign-in sessions change only by expiry,
//! renewal, logout and password changes, so each process remembers, for [`FRESH_SECS`], which
//! user and role a token hash stands for and until when. Expiry is checked against the
//! remembered instant at every request; a session ended on this process is forgotten at once,
//! and a renewal refreshes it. On PostgreSQL, sessions ended by another server instance are
//! heard of at once ([`SignIns::listen`]). Routes that read the whole user keep
//! `CurrentUser`, which always reads the database.
//!
//! Tokens nobody here remembers are looked up together: requests that miss at the same time
//! share one query (`storage::batch`, as the heartbeat writer), so a burst of strangers after
//! a restart costs one round trip to SQLite per batch instead of one each.

use crate::auth::session::{token_from, token_hash_bytes, SESSION_SECS};
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::batch::{self, Batch, Queue};
use crate::storage::{sessions, Db};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use qinxue_core::Role;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How long a remembered sign-in is trusted without reading the database.
pub const FRESH_SECS: i64 = 60;

const SHARDS: usize = 32;

/// The most tokens one lookup query takes.
const MAX_LOOKUP: usize = 256;

/// A user as a heartbeat needs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedIn {
    pub user_id: i64,
    pub role: Role,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    who: SignedIn,
    expires_at: i64,
    fresh_until: i64,
}

#[derive(Debug, Default)]
struct Shard {
    entries: HashMap<[u8; 32], Entry>,
    swept_at: i64,
    /// Counts the tokens forgotten here: a lookup that began before a logout must not put
    /// the token back.
    forgotten: u64,
}

type Found = Option<(SignedIn, i64)>;

/// The remembered sign-ins of this process; cheap to clone.
#[derive(Clone, Debug)]
pub struct SignIns {
    shards: Arc<[Mutex<Shard>]>,
    /// Token hashes to look up.
    lookups: Queue<[u8; 32], Result<Found, AppError>>,
}

impl SignIns {
    /// Starts the lookup task on the current runtime.
    pub fn spawn(db: Db, clock: crate::clock::Clock) -> Self {
        let (lookups, mut jobs) = batch::queue("sign-in lookup", 16_384, MAX_LOOKUP);
        tokio::spawn(async move { jobs.serve(&mut LookUp { db, clock }).await });
        Self {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            lookups,
        }
    }

    fn shard(&self, hash: &[u8; 32]) -> std::sync::MutexGuard<'_, Shard> {
        // The hash is uniform: its first byte spreads tokens over the shards.
        self.shards[usize::from(hash[0]) % SHARDS]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A sign-in remembered, fresh, unexpired and not yet due for renewal.
    fn recall(&self, hash: &[u8; 32], now: i64) -> Option<SignedIn> {
        self.shard(hash)
            .entries
            .get(hash)
            .filter(|e| e.fresh_until > now && e.expires_at - now >= SESSION_SECS / 2)
            .map(|e| e.who)
    }

    fn remember(&self, hash: [u8; 32], who: SignedIn, expires_at: i64, now: i64, since: u64) {
        let mut shard = self.shard(&hash);
        if shard.forgotten != since {
            return;
        }
        if now - shard.swept_at >= FRESH_SECS {
            shard.entries.retain(|_, e| e.fresh_until > now);
            shard.swept_at = now;
        }
        shard.entries.insert(
            hash,
            Entry {
                who,
                expires_at,
                fresh_until: now + FRESH_SECS,
            },
        );
    }

    /// Forgets a token (its session was deleted or changed).
    pub fn forget(&self, token: &str) {
        let hash = token_hash_bytes(token);
        let mut shard = self.shard(&hash);
        shard.entries.remove(&hash);
        shard.forgotten += 1;
    }

    /// Forgets every sign-in of a person (their sessions ended: a password reset or change,
    /// a logout on another instance).
    pub fn forget_user(&self, user_id: i64) {
        self.forget_where(|e| e.who.user_id == user_id);
    }

    fn forget_where(&self, ended: impl Fn(&Entry) -> bool) {
        for shard in self.shards.iter() {
            let mut shard = shard
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            shard.entries.retain(|_, e| !ended(e));
            shard.forgotten += 1;
        }
    }

    /// Hears, on PostgreSQL, of the sessions that any server instance ends
    /// (`sessions::announce_ended`) and forgets them here at once, so that a logout, a
    /// password change or a reset anywhere holds everywhere within a round trip rather than
    /// after [`FRESH_SECS`]. While not listening (before the first connection, after a lost
    /// one) it could miss news, so it forgets everything on every (re)connection.
    pub fn listen(&self, database_url: String) {
        let sign_ins = self.clone();
        tokio::spawn(async move {
            loop {
                match sign_ins.hear(&database_url).await {
                    Ok(()) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "sign-in news: listener lost; reconnecting")
                    }
                }
                sign_ins.forget_where(|_| true);
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        });
    }

    /// Listens until the connection is lost.
    async fn hear(&self, database_url: &str) -> Result<(), sqlx::Error> {
        let mut listener = sqlx::postgres::PgListener::connect(database_url).await?;
        listener.listen(sessions::ENDED_CHANNEL).await?;
        self.forget_where(|_| true);
        // `try_recv` answers `None` when the connection was lost (news may have been missed).
        while let Some(news) = listener.try_recv().await? {
            match news.payload().parse() {
                Ok(user_id) => self.forget_user(user_id),
                Err(_) => tracing::warn!(payload = news.payload(), "sign-in news: not a user id"),
            }
        }
        Ok(())
    }

    /// Who the token signs in, remembered or read (with other lookups waiting at the same time).
    async fn find(&self, state: &AppState, token: &str) -> Result<SignedIn, AppError> {
        let hash = token_hash_bytes(token);
        let now = state.clock.now_secs();
        if let Some(who) = self.recall(&hash, now) {
            return Ok(who);
        }
        let since = self.shard(&hash).forgotten;
        let (who, expires_at) = self
            .lookups
            .submit(hash)
            .await??
            .ok_or(AppError::Unauthenticated)?;
        let expires_at = if expires_at - now < SESSION_SECS / 2 {
            let hex = hex::encode(hash);
            let renewed = now + SESSION_SECS;
            state
                .db
                .write(move |c| {
                    Box::pin(async move { Ok(sessions::extend(c, &hex, renewed).await?) })
                })
                .await?;
            renewed
        } else {
            expires_at
        };
        self.remember(hash, who, expires_at, now, since);
        Ok(who)
    }
}

/// Looks up the token hashes waiting, one query a batch.
struct LookUp {
    db: Db,
    clock: crate::clock::Clock,
}

impl Batch for LookUp {
    type Job = [u8; 32];
    type Reply = Result<Found, AppError>;

    async fn run(&mut self, batch: Vec<[u8; 32]>) -> Vec<Self::Reply> {
        let hashes: Vec<String> = batch.iter().map(hex::encode).collect();
        let now = self.clock.now_secs();
        let found = async {
            let mut conn = self.db.read().await?;
            Ok::<_, AppError>(sessions::find_many(&mut conn, &hashes, now).await?)
        }
        .await;
        match found {
            Ok(found) => {
                let found: HashMap<&str, (i64, Role, i64)> = found
                    .iter()
                    .map(|(hash, user_id, role, expires_at)| {
                        (hash.as_str(), (*user_id, *role, *expires_at))
                    })
                    .collect();
                hashes
                    .iter()
                    .map(|hash| {
                        Ok(found
                            .get(hash.as_str())
                            .map(|&(user_id, role, expires_at)| {
                                (SignedIn { user_id, role }, expires_at)
                            }))
                    })
                    .collect()
            }
            Err(e) => {
                tracing::error!(error = %e, "sign-in lookup failed");
                batch
                    .iter()
                    .map(|_| Err(AppError::Internal("sign-in lookup failed".into())))
                    .collect()
            }
        }
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = token_from(&parts.headers).ok_or(AppError::Unauthenticated)?;
        state.sign_ins.find(state, &token).await
    }
}
