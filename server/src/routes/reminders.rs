//! Reminders before the year's deadlines (`services::reminders`): the trainee's own, and a
//! test route that runs the job now (mounted only with `QINXUE_TEST_CLOCK=1`).

use crate::access::Actor;
use crate::error::Result;
use crate::services::reminders::{self, RemindersRun};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use qinxue_core::api::ErrorBody;
use qinxue_core::reminder::Reminder;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(my_reminders))
}

pub fn test_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(run_reminders))
}

/// The signed-in trainee's reminders that still hold (deadline not passed; the year still
/// unpaid, or unfinished), the newest first. The same texts go to the SMS outbox.
#[utoipa::path(get, path = "/api/me/reminders", tag = "completion",
    responses(
        (status = 200, body = Vec<Reminder>),
        (status = 401, body = ErrorBody, description = "`unauthenticated`"),
        (status = 403, body = ErrorBody, description = "`forbidden`: not a trainee"),
    ))]
async fn my_reminders(State(state): State<AppState>, actor: Actor) -> Result<Json<Vec<Reminder>>> {
    Ok(Json(reminders::mine(&state, &actor).await?))
}

/// Runs the reminder job now (at the test clock's time) instead of at its next tick.
#[utoipa::path(post, path = "/api/test/reminders", security(()), tag = "test",
    responses((status = 200, body = RemindersRun)))]
async fn run_reminders(State(state): State<AppState>) -> Result<Json<RemindersRun>> {
    Ok(Json(reminders::run_once(&state).await?))
}
