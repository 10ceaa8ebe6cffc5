//! The catalogue as a trainee sees it, and their plan of courses for the year.

use crate::access::{AccessError, Actor};
use crate::error::AppError;
use crate::services::policy;
use crate::state::AppState;
use crate::storage::catalogue::{self, CourseRow};
use crate::storage::{enrolments, users::User};
use crate::views::catalogue as view;
use qinxue_core::api::Course;
use qinxue_core::catalogue::CourseCategory;
use qinxue_core::practice::Plan;

/// Why a course is not added to or removed from a trainee's plan.
#[derive(Debug, thiserror::Error)]
pub enum SelectionError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("registration closed")]
    RegistrationClosed,
    /// No such published course, or none in the plan.
    #[error("course not found")]
    NotFound,
    /// A trade course of another trade than the trainee's.
    #[error("course of another trade")]
    WrongTrade,
    #[error("course selected already")]
    AlreadySelected,
    /// The plan has the hours the year requires.
    #[error("plan complete")]
    PlanComplete,
    /// Study on the course has begun, so it stays in the plan.
    #[error("course started")]
    CourseStarted,
    /// A fault of the layers below (database, writer, policy year).
    #[error(transparent)]
    Fault(#[from] AppError),
}

impl From<sqlx::Error> for SelectionError {
    fn from(e: sqlx::Error) -> Self {
        SelectionError::Fault(e.into())
    }
}

/// Catalogue filters; all optional.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CourseFilter {
    /// Words the title must contain.
    pub q: Option<String>,
    pub category: Option<CourseCategory>,
    /// Only courses for this trade (工种).
    pub trade: Option<String>,
}

/// Published courses matching the filter; a trainee's own trade's courses come first.
pub async fn catalogue(
    state: &AppState,
    viewer: Option<&User>,
    f: &CourseFilter,
) -> Result<Vec<Course>, SelectionError> {
    let mut conn = state.db.read().await?;
    let q = f.q.as_deref().map(str::trim).unwrap_or("");
    let mut courses: Vec<CourseRow> = catalogue::list_published(&mut conn)
        .await?
        .into_iter()
        .filter(|c| q.is_empty() || c.title.contains(q))
        .filter(|c| f.category.is_none_or(|k| c.category == k))
        .filter(|c| {
            f.trade
                .as_deref()
                .is_none_or(|t| c.trades.iter().any(|x| x == t))
        })
        .collect();
    if let Some(trade) = viewer.and_then(|u| u.trade.as_deref()) {
        // Stable: within each group the catalogue's own order stays.
        courses.sort_by_key(|c| !c.trades.iter().any(|t| t == trade));
    }
    Ok(courses.into_iter().map(view::course).collect())
}

/// The trainee's plan for the year in force.
pub async fn plan(state: &AppState, actor: &Actor) -> Result<Plan, SelectionError> {
    let user = actor.trainee()?;
    let now = state.clock.now();
    let year = policy::in_force(state, now).await?;
    let mut conn = state.db.read().await?;
    let grade = enrolments::grade_for(&mut conn, user.id, year.year)
        .await?
        .or(user.grade);
    let ids = catalogue::selected(&mut conn, user.id, year.year).await?;
    let courses: Vec<CourseRow> = catalogue::list_all(&mut conn)
        .await?
        .into_iter()
        .filter(|c| ids.contains(&c.id))
        .collect();
    Ok(Plan {
        year: year.year,
        required_hours: grade.map(|g| year.required_hours(g)).unwrap_or_default(),
        planned_hours: courses.iter().map(|c| c.hours).sum(),
        registration_open: year.registration_open(now),
        courses: courses.into_iter().map(view::course).collect(),
    })
}

/// Adds a course: published, of the trainee's trade if it is a trade course, not already
/// there, before the registration deadline, and while the plan is short of the requirement.
pub async fn select(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
) -> Result<Plan, SelectionError> {
    let user = actor.trainee()?;
    let current = plan(state, actor).await?;
    if !current.registration_open {
        return Err(SelectionError::RegistrationClosed);
    }
    let course = {
        let mut conn = state.db.read().await?;
        catalogue::list_published(&mut conn)
            .await?
            .into_iter()
            .find(|c| c.id == course_id)
            .ok_or(SelectionError::NotFound)?
    };
    if course.category == CourseCategory::Trade
        && !course.trades.iter().any(|t| Some(t) == user.trade.as_ref())
    {
        return Err(SelectionError::WrongTrade);
    }
    if current.courses.iter().any(|c| c.id == course_id) {
        return Err(SelectionError::AlreadySelected);
    }
    if current.complete() {
        return Err(SelectionError::PlanComplete);
    }
    let (user_id, year, now) = (user.id, current.year, state.clock.now_secs());
    let added = state
        .db
        .write(move |c| {
            Box::pin(async move { Ok(catalogue::select(c, user_id, year, course_id, now).await?) })
        })
        .await?;
    if !added {
        return Err(SelectionError::AlreadySelected);
    }
    plan(state, actor).await
}

/// Removes a course from the plan while registration is open, unless study on it has begun.
pub async fn unselect(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
) -> Result<Plan, SelectionError> {
    let user = actor.trainee()?;
    let current = plan(state, actor).await?;
    if !current.registration_open {
        return Err(SelectionError::RegistrationClosed);
    }
    if !current.courses.iter().any(|c| c.id == course_id) {
        return Err(SelectionError::NotFound);
    }
    let (user_id, year) = (user.id, current.year);
    let removed = state
        .db
        .write(move |c| {
            Box::pin(async move {
                Ok(catalogue::unselect_unstarted(c, user_id, year, course_id).await?)
            })
        })
        .await?;
    if !removed {
        return Err(SelectionError::CourseStarted);
    }
    plan(state, actor).await
}
