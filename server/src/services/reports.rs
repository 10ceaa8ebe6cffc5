//! The offices' and the province's reports (DESIGN.md §8), scoped on the server to the
//! reader's region subtree: a region outside it is not found (404).

use crate::access::{Actor, Scope};
use crate::error::AppError;
use crate::services::completion;
use crate::services::spreadsheet::{CsvOut, XlsxOut};
use crate::state::AppState;
use crate::storage::policy_years;
use crate::storage::regions::{self, RegionRow};
use crate::storage::reports as store;
use chrono::Datelike;
use qinxue_core::catalogue::format_hours;
use qinxue_core::completion::{self as completion_rule, secs_per_hour, Credit, Source, YearTerms};
use qinxue_core::id_number::mask_id_number;
use qinxue_core::office::{ReportRow, ReportSummary, ReportUnit};
use qinxue_core::time::local_date;
use qinxue_core::{Grade, PolicyYear};
use sqlx::AnyConnection;
use std::collections::{BTreeMap, BTreeSet, HashMap};

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

/// The report's year: as asked, else the one of today; it must be configured.
async fn report_year(
    conn: &mut AnyConnection,
    state: &AppState,
    year: Option<i32>,
) -> Result<PolicyYear, AppError> {
    let year = year.unwrap_or_else(|| local_date(state.clock.now()).year());
    policy_years::get(conn, year)
        .await?
        .ok_or(AppError::NotFound)
}

/// One trainee's standing in the report's year.
#[derive(Debug, Clone)]
struct Standing {
    trainee: store::Trainee,
    /// The grade the year's requirement is for (its enrolment's, else the profile's).
    grade: Option<Grade>,
    paid: bool,
    completed: bool,
    /// The seconds that count for the year, and those it requires.
    credited_secs: i64,
    required_secs: i64,
}

/// Every trainee of the subtree with their standing in `policy`'s year, settled by
/// `qinxue_core::completion` from the same credits `/api/me/years` settles (every year up to
/// the one in force, as an earlier unfinished year takes later credit first). A year's lesson
/// credit counts as earned at that year's study deadline and an activity's at the end of its
/// day: the rule's outcome depends on the order of credits only across years, and a year's
/// credit is earned while it is in force.
async fn standings(
    conn: &mut AnyConnection,
    state: &AppState,
    pattern: &str,
    policy: &PolicyYear,
) -> Result<Vec<Standing>, AppError> {
    let now = state.clock.now();
    let upto = policy.year.max(local_date(now).year());
    let trainees = store::trainees(conn, pattern, policy.year, upto).await?;
    let mut credits: HashMap<i64, Vec<(Source, store::YearSecs)>> = HashMap::new();
    for t in &trainees {
        for &(year, secs) in &t.lesson_secs {
            credits.entry(t.id).or_default().push((
                Source::Online,
                store::YearSecs {
                    user_id: t.id,
                    year,
                    secs,
                    at: 0,
                },
            ));
        }
    }
    for c in store::live_lesson_secs(conn, pattern, upto).await? {
        credits
            .entry(c.user_id)
            .or_default()
            .push((Source::Online, c));
    }
    for c in store::activity_secs(conn, pattern, upto).await? {
        credits
            .entry(c.user_id)
            .or_default()
            .push((Source::Activity, c));
    }
    let mut years: BTreeSet<i32> = BTreeSet::from([policy.year]);
    years.extend(trainees.iter().flat_map(|t| &t.enrolments).map(|e| e.year));
    years.extend(credits.values().flatten().map(|c| c.1.year));
    let mut policies: HashMap<i32, PolicyYear> = HashMap::new();
    for y in years {
        policies.insert(y, completion::policy_of(conn, y).await?);
    }
    let none = Vec::new();
    let mut out = Vec::with_capacity(trainees.len());
    for mut t in trainees {
        let profile = t.grade.as_deref().and_then(Grade::from_wire);
        let mine = std::mem::take(&mut t.enrolments);
        let mine = &mine;
        let theirs = credits.get(&t.id).unwrap_or(&none);
        let mut own_years: BTreeSet<i32> = BTreeSet::from([policy.year]);
        own_years.extend(mine.iter().map(|e| e.year));
        own_years.extend(theirs.iter().map(|c| c.1.year));
        let grade_of = |y: i32| {
            mine.iter()
                .find(|e| e.year == y)
                .and_then(|e| Grade::from_wire(&e.grade))
                .or(profile)
        };
        let terms: Vec<YearTerms> = own_years
            .iter()
            .filter_map(|y| {
                let p = policies.get(y)?;
                let required = grade_of(*y).map_or(0, |g| p.required_hours(g));
                Some(YearTerms {
                    year: *y,
                    enrolled: mine.iter().any(|e| e.year == *y && e.active),
                    required_secs: i64::from(required) * secs_per_hour(p.minutes_per_hour),
                })
            })
            .collect();
        let list: Vec<Credit> = theirs
            .iter()
            .filter_map(|(source, c)| {
                let at = match source {
                    Source::Activity => c.at,
                    _ => policies.get(&c.year)?.study_closes_at().timestamp(),
                };
                Some(Credit {
                    year: c.year,
                    source: *source,
                    secs: c.secs,
                    at: at.min(now.timestamp()),
                })
            })
            .collect();
        let outcome = completion_rule::settle(&terms, &list)
            .into_iter()
            .find(|o| o.year == policy.year);
        let grade = grade_of(policy.year);
        let required = grade.map_or(0, |g| {
            i64::from(policy.required_hours(g)) * secs_per_hour(policy.minutes_per_hour)
        });
        out.push(Standing {
            grade,
            paid: outcome.is_some_and(|o| o.enrolled),
            completed: outcome.is_some_and(|o| o.completed),
            credited_secs: outcome.map_or(0, |o| o.credited.total()),
            required_secs: outcome.map_or(required, |o| o.required_secs),
            trainee: t,
        });
    }
    Ok(out)
}

/// The counts of one part of a report.
#[derive(Debug, Clone, Default)]
struct Tally {
    trainees: u64,
    registered: u64,
    paid: u64,
    completed: u64,
}

impl Tally {
    fn add(&mut self, s: &Standing) {
        self.trainees += 1;
        self.registered += u64::from(s.trainee.registered || s.paid);
        self.paid += u64::from(s.paid);
        self.completed += u64::from(s.completed);
    }

    fn row(&self, key: String, name: String) -> ReportRow {
        ReportRow {
            key,
            name,
            trainees: self.trainees,
            registered: self.registered,
            paid: self.paid,
            completed: self.completed,
        }
    }
}

/// The code of the child of the region at `root` (a path) that `path` lies in; the root's own
/// code for the root itself.
fn child_code(root: &str, path: &str) -> String {
    let rest = path.strip_prefix(root).unwrap_or("");
    match rest.split('/').find(|c| !c.is_empty()) {
        Some(code) => code.to_owned(),
        None => root
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_owned(),
    }
}

/// The unit a report is narrowed to: one of the region's subtree, else not found.
fn narrowed(units: &[store::Unit], unit: Option<i64>) -> Result<Option<&store::Unit>, AppError> {
    match unit {
        None => Ok(None),
        Some(id) => units
            .iter()
            .find(|u| u.id == id)
            .map(Some)
            .ok_or(AppError::NotFound),
    }
}

/// `GET /api/reports/summary`: of a region, or of one unit in it.
pub async fn summary(
    state: &AppState,
    actor: &Actor,
    year: Option<i32>,
    region: Option<&str>,
    unit: Option<i64>,
) -> Result<ReportSummary, AppError> {
    actor.office()?;
    let mut conn = state.db.read().await?;
    let t = target(&mut conn, actor, region).await?;
    let policy = report_year(&mut conn, state, year).await?;
    let pattern = format!("{}%", t.path);
    let all = regions::list(&mut conn).await?;
    let units = store::units(&mut conn, &pattern).await?;
    let only = narrowed(&units, unit)?;
    let standings: Vec<Standing> = standings(&mut conn, state, &pattern, &policy)
        .await?
        .into_iter()
        .filter(|s| only.is_none_or(|u| u.id == s.trainee.unit_id))
        .collect();
    let unit_of: HashMap<i64, &store::Unit> = units.iter().map(|u| (u.id, u)).collect();

    let mut total = Tally::default();
    let mut by_region: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_unit: BTreeMap<i64, Tally> = BTreeMap::new();
    let mut by_grade: HashMap<Grade, Tally> = HashMap::new();
    for s in &standings {
        total.add(s);
        if let Some(u) = unit_of.get(&s.trainee.unit_id) {
            by_region
                .entry(child_code(&t.path, &u.region_path))
                .or_default()
                .add(s);
        }
        by_unit.entry(s.trainee.unit_id).or_default().add(s);
        if let Some(g) = s.grade {
            by_grade.entry(g).or_default().add(s);
        }
    }
    let name_of = |code: &str| {
        all.iter()
            .find(|r| r.code == code)
            .map(|r| {
                if code == t.region.code {
                    format!("{}（本级）", r.name)
                } else {
                    r.name.clone()
                }
            })
            .unwrap_or_default()
    };
    let by_region = by_region
        .into_iter()
        .map(|(code, c)| c.row(code.clone(), name_of(&code)))
        .collect();
    let by_unit = by_unit
        .into_iter()
        .map(|(id, c)| {
            let name = unit_of.get(&id).map(|u| u.name.clone()).unwrap_or_default();
            c.row(id.to_string(), name)
        })
        .collect();
    let by_grade = Grade::ALL
        .iter()
        .filter_map(|g| {
            by_grade
                .get(g)
                .map(|c| c.row(g.as_str().to_owned(), g.label().to_owned()))
        })
        .collect();
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
        unit: only.map(|u| ReportUnit {
            id: u.id,
            name: u.name.clone(),
        }),
        trainees: total.trainees,
        registered: total.registered,
        paid: total.paid,
        completed: total.completed,
        by_region,
        by_unit,
        by_grade,
    })
}

/// A trainee who has not completed the year, with what is missing.
#[derive(Debug, Clone)]
pub struct NonCompleter {
    pub name: String,
    pub id_number: String,
    pub unit: String,
    pub region_code: String,
    pub grade: Option<Grade>,
    pub paid: bool,
    pub credited_secs: i64,
    pub required_secs: i64,
}

/// Everyone of the region (or of one unit in it) who has not completed the year (the
/// summary's standings), by region, unit and name; and the year's settings.
pub async fn non_completers(
    state: &AppState,
    actor: &Actor,
    year: Option<i32>,
    region: Option<&str>,
    unit: Option<i64>,
) -> Result<(Vec<NonCompleter>, PolicyYear), AppError> {
    actor.office()?;
    let mut conn = state.db.read().await?;
    let t = target(&mut conn, actor, region).await?;
    let policy = report_year(&mut conn, state, year).await?;
    let pattern = format!("{}%", t.path);
    let units = store::units(&mut conn, &pattern).await?;
    let only = narrowed(&units, unit)?;
    let unit_of: HashMap<i64, &store::Unit> = units.iter().map(|u| (u.id, u)).collect();
    let missing: Vec<Standing> = standings(&mut conn, state, &pattern, &policy)
        .await?
        .into_iter()
        .filter(|s| !s.completed && only.is_none_or(|u| u.id == s.trainee.unit_id))
        .collect();
    let ids: Vec<i64> = missing.iter().map(|s| s.trainee.id).collect();
    let people = store::people(&mut conn, &ids).await?;
    let mut out: Vec<NonCompleter> = missing
        .into_iter()
        .map(|s| {
            let unit = unit_of.get(&s.trainee.unit_id);
            let (name, id_number) = people.get(&s.trainee.id).cloned().unwrap_or_default();
            NonCompleter {
                name,
                id_number,
                unit: unit.map(|u| u.name.clone()).unwrap_or_default(),
                region_code: unit.map(|u| u.region_code.clone()).unwrap_or_default(),
                grade: s.grade,
                paid: s.paid,
                credited_secs: s.credited_secs,
                required_secs: s.required_secs,
            }
        })
        .collect();
    out.sort_by(|a, b| (&a.region_code, &a.unit, &a.name).cmp(&(&b.region_code, &b.unit, &b.name)));
    Ok((out, policy))
}

/// The non-completers' export columns, with their XLSX widths.
const NON_COMPLETER_COLUMNS: [(&str, f64); 9] = [
    ("姓名", 10.0),
    ("身份证号", 22.0),
    ("单位", 28.0),
    ("地区", 24.0),
    ("等级", 10.0),
    ("已缴费", 8.0),
    ("已获学时", 10.0),
    ("要求学时", 10.0),
    ("还差学时", 10.0),
];

/// The non-completers as the exports' rows: one a person, 身份证号 masked.
async fn non_completer_rows(
    state: &AppState,
    actor: &Actor,
    year: Option<i32>,
    region: Option<&str>,
    unit: Option<i64>,
) -> Result<Vec<[String; 9]>, AppError> {
    let (people, policy) = non_completers(state, actor, year, region, unit).await?;
    let all = {
        let mut conn = state.db.read().await?;
        regions::list(&mut conn).await?
    };
    let hours = |secs: i64| format_hours(secs, policy.minutes_per_hour);
    Ok(people
        .into_iter()
        .map(|p| {
            [
                p.name.clone(),
                mask_id_number(&p.id_number),
                p.unit.clone(),
                regions::full_name(&all, &p.region_code),
                p.grade.map_or("", Grade::label).to_owned(),
                if p.paid { "是" } else { "否" }.to_owned(),
                hours(p.credited_secs),
                hours(p.required_secs),
                hours((p.required_secs - p.credited_secs).max(0)),
            ]
        })
        .collect())
}

/// `GET /api/reports/non-completers.csv`: one row a person, 身份证号 masked, no row limit.
pub async fn non_completers_csv(
    state: &AppState,
    actor: &Actor,
    year: Option<i32>,
    region: Option<&str>,
    unit: Option<i64>,
) -> Result<Vec<u8>, AppError> {
    let labels: Vec<&str> = NON_COMPLETER_COLUMNS.iter().map(|(l, _)| *l).collect();
    let mut out = CsvOut::new(&labels);
    for row in non_completer_rows(state, actor, year, region, unit).await? {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        out.row(&cells)?;
    }
    out.finish()
}

/// `GET /api/reports/non-completers.xlsx`: the same rows as the CSV, as an XLSX workbook.
pub async fn non_completers_xlsx(
    state: &AppState,
    actor: &Actor,
    year: Option<i32>,
    region: Option<&str>,
    unit: Option<i64>,
) -> Result<Vec<u8>, AppError> {
    let rows = non_completer_rows(state, actor, year, region, unit).await?;
    tokio::task::spawn_blocking(move || {
        let mut out = XlsxOut::new("未完成人员", &NON_COMPLETER_COLUMNS)?;
        for row in &rows {
            let cells: Vec<&str> = row.iter().map(String::as_str).collect();
            out.row(&cells)?;
        }
        out.finish()
    })
    .await
    .map_err(|e| AppError::Internal(format!("non-completers XLSX task: {e}")))?
}
