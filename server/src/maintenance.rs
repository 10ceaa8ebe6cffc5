//! Housekeeping in the background: expired sessions and old login attempts are deleted.

use crate::state::AppState;
use crate::storage::{login_attempts, sessions};
use std::time::Duration;

const EVERY: Duration = Duration::from_secs(600);
/// Longer than any rate-limit window.
const KEEP_ATTEMPTS_SECS: i64 = 86_400;

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            let now = state.clock.now_secs();
            let result = state
                .db
                .write(move |c| {
                    Box::pin(async move {
                        sessions::delete_expired(&mut *c, now).await?;
                        login_attempts::prune(c, now - KEEP_ATTEMPTS_SECS).await?;
                        Ok(())
                    })
                })
                .await;
            if let Err(e) = result {
                tracing::warn!(error = %e, "housekeeping failed; will retry");
            }
        }
    })
}
