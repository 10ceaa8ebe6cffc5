//! Housekeeping in the background: expired sessions, old login attempts and uploads that
//! nothing names any more are deleted.

use crate::state::AppState;
use crate::storage::media;
use crate::storage::{course_admin, login_attempts, sessions};

/// Longer than any rate-limit window.
const KEEP_ATTEMPTS_SECS: i64 = 86_400;

/// Deletes uploads no course or lesson names (a replaced cover, a video whose lesson was
/// saved without it); they are kept a day first (`media::KEEP_UNUSED`).
async fn sweep_media(state: &AppState) {
    let dir = state.config.media_dir();
    if !dir.exists() {
        return;
    }
    let in_use = match state.db.read().await {
        Ok(mut conn) => course_admin::media_in_use(&mut conn).await,
        Err(e) => {
            tracing::warn!(error = %e, "media sweep: no database connection");
            return;
        }
    };
    let in_use = match in_use {
        Ok(urls) => urls.into_iter().collect(),
        Err(e) => {
            tracing::warn!(error = %e, "media sweep: cannot read the media in use");
            return;
        }
    };
    let swept =
        tokio::task::spawn_blocking(move || media::sweep(&dir, &in_use, media::KEEP_UNUSED)).await;
    if let Ok(n @ 1..) = swept {
        tracing::info!(removed = n, "unused uploads removed");
    }
}

/// One round: expired sessions and old login attempts, then unused uploads.
pub async fn run_once(state: &AppState) {
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
    sweep_media(state).await;
}
