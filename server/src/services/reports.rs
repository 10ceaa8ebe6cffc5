//! The offices' and the province's reports (DESIGN.md §8), scoped on the server to the
//! reader's region subtree: a region outside it is not found (404).

use crate::access::{Actor, Scope};
use crate::error::AppError;
use crate::services::spreadsheet::CsvOut;
use crate::state::AppState;
use crate::storage::reports::{self as store, By, Counts, Required};
use crate::storage::policy_years;
use crate::storage::regions::{self, RegionRow};
use chrono::Datelike;
use qinxue_core::catalogue::format_hours;
use qinxue_core::completion::secs_per_hour;
use qinxue_core::id_number::mask_id_number;
use qinxue_core::office::{ReportRow, ReportSummary};
use qinxue_core::time::local_date;
use qinxue_core::{Grade, PolicyYear};
use sqlx::AnyConnection;

/// The region a report is of, with its path; outside the reader's subtree: not found.
struct Target {
    region: RegionRow,
    path: String,
    scope: Scope,
}

async fn region_path(conn: &mut AnyConnection, code: &str) -> Result<Option<String>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT path FROM regions WHERE code = $1")
            .bind(code)
            .fetch_optional(conn)
            .await?,
    )
}

async fn target(
    conn: &mut AnyConnection,
    actor: &Actor,
    region: Option<&str>,
) -> Result<Target, AppError> {
    let (user, scope) = actor.office()?;
    let code = match region {
        Some(code) => code.to_owned(),
        None => user.region_code.clone().ok_or(AppError::NotFound)?,
    };
    let path = region_path(conn, &code).await?.ok_or(AppError::NotFound)?;
    if !scope.contains_region(&path) {
        return Err(AppError::NotFound);
    }
    let region = regions::get(conn, &code).await?.ok_or(AppError::NotFound)?;
    Ok(Target {
        region,
        path,
        scope,
    })
}

async fn year_and_required(
    conn: &mut AnyConnection,
    state: &AppState,
    year: Option<i32>,
) -> Result<(PolicyYear, Required), AppError> {
    let year = year.unwrap_or_else(|| local_date(state.clock.now()).year());
    let policy = match policy_years::get(conn, year).await? {
        Some(p) => p,
        None => return Err(AppError::NotFound),
    };
    let per = secs_per_hour(policy.minutes_per_hour);
    let required = Required {
        graded_secs: i64::from(policy.graded_hours) * per,
        ungraded_secs: i64::from(policy.ungraded_hours) * per,
    };
    Ok((policy, required))
}

fn row(c: &Counts, key: String, name: String) -> ReportRow {
    ReportRow {
        key,
        name,
        trainees: c.trainees as u64,
        registered: c.registered as u64,
        paid: c.paid as u64,
        completed: c.completed as u64,
    }
}

/// `GET /api/reports/summary`.
pub async fn summary(
    state: &AppState,
    actor: &Actor,
    year: Option<i32>,
    region: Option<&str>,
) -> Result<ReportSummary, AppError> {
    actor.office()?;
    let mut conn = state.db.read().await?;
    let t = target(&mut conn, actor, region).await?;
    let (policy, required) = year_and_required(&mut conn, state, year).await?;
    let pattern = format!("{}%", t.path);
    let all = regions::list(&mut conn).await?;
    let by_region = store::counts(
        &mut conn,
        &pattern,
        policy.year,
        required,
        By::Region {
            path_len: t.path.len(),
        },
    )
    .await?;
    let code_of = |path: &str| {
        path.trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_owned()
    };
    let by_region: Vec<ReportRow> = by_region
        .iter()
        .map(|c| {
            let code = code_of(&c.key);
            let name = all
                .iter()
                .find(|r| r.code == code)
                .map(|r| {
                    if code == t.region.code {
                        format!("{}（本级）", r.name)
                    } else {
                        r.name.clone()
                    }
                })
                .unwrap_or_default();
            row(c, code, name)
        })
        .collect();
    let by_unit = store::counts(&mut conn, &pattern, policy.year, required, By::Unit)
        .await?
        .iter()
        .map(|c| row(c, c.key.clone(), c.unit_name.clone().unwrap_or_default()))
        .collect();
    let by_grade = store::counts(&mut conn, &pattern, policy.year, required, By::Grade)
        .await?
        .iter()
        .map(|c| {
            let label = Grade::from_wire(&c.key).map_or("", Grade::label).to_owned();
            row(c, c.key.clone(), label)
        })
        .collect();
    let total = |f: fn(&ReportRow) -> u64| by_region.iter().map(f).sum::<u64>();
    let parent = match &t.region.parent_code {
        Some(code) => {
            let path = region_path(&mut conn, code).await?;
            path.filter(|p| t.scope.contains_region(p))
                .map(|_| code.clone())
        }
        None => None,
    };
    Ok(ReportSummary {
        year: policy.year,
        region: t.region.code.clone(),
        region_name: t.region.name.clone(),
        parent,
        trainees: total(|r| r.trainees),
        registered: total(|r| r.registered),
        paid: total(|r| r.paid),
        completed: total(|r| r.completed),
        by_region,
        by_unit,
        by_grade,
    })
}

/// `GET /api/reports/non-completers.csv`: one row a person, 身份证号 masked, no row limit.
pub async fn non_completers_csv(
    state: &AppState,
    actor: &Actor,
    year: Option<i32>,
    region: Option<&str>,
) -> Result<Vec<u8>, AppError> {
    actor.office()?;
    let (people, policy, all) = {
        let mut conn = state.db.read().await?;
        let t = target(&mut conn, actor, region).await?;
        let (policy, required) = year_and_required(&mut conn, state, year).await?;
        let pattern = format!("{}%", t.path);
        let people = store::non_completers(&mut conn, &pattern, policy.year, required).await?;
        (people, policy, regions::list(&mut conn).await?)
    };
    let mut out = CsvOut::new(&[
        "姓名",
        "身份证号",
        "单位",
        "地区",
        "等级",
        "已缴费",
        "已获学时",
        "要求学时",
        "还差学时",
    ]);
    let hours = |secs: i64| format_hours(secs, policy.minutes_per_hour);
    for p in people {
        out.row(&[
            &p.name,
            &mask_id_number(&p.id_number),
            &p.unit,
            &regions::full_name(&all, &p.region_code),
            Grade::from_wire(&p.grade).map_or("", Grade::label),
            if p.paid { "是" } else { "否" },
            &hours(p.credited_secs),
            &hours(p.required_secs),
            &hours((p.required_secs - p.credited_secs).max(0)),
        ])?;
    }
    out.finish()
}
