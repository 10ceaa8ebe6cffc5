//! Which policy year is in force.

use crate::error::AppError;
use crate::state::AppState;
use crate::storage::policy_years;
use chrono::{DateTime, Datelike, Utc};
use qinxue_core::time::local_date;
use qinxue_core::PolicyYear;

/// The policy year of the Shanghai calendar year at `now`. A year nobody has configured yet
/// starts with the notice's standard settings, so that study never stops at New Year because
/// of a missing row; the provincial office can change them.
pub async fn in_force(state: &AppState, now: DateTime<Utc>) -> Result<PolicyYear, AppError> {
    let year = local_date(now).year();
    {
        let mut conn = state.db.read().await?;
        if let Some(y) = policy_years::in_force(&mut conn, year).await? {
            if y.year == year {
                return Ok(y);
            }
        }
    }
    let standard = PolicyYear::standard(year);
    state
        .db
        .write(move |c| {
            Box::pin(async move {
                policy_years::insert_if_missing(&mut *c, &standard).await?;
                policy_years::in_force(c, year)
                    .await?
                    .ok_or(AppError::NoPolicyYear)
            })
        })
        .await
}
