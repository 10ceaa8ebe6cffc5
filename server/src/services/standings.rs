//! Trainees' standings in their policy years (`storage::year_standings`), settled by
//! `qinxue_core::completion` from the same credits `/api/me/years` settles: every year of the
//! trainee, as an earlier unfinished year takes later credit first. A year's lesson credit
//! counts as earned at that year's study deadline and an activity's at the end of its day:
//! the rule's outcome depends on the order of credits only across years, and a year's credit
//! is earned while it is in force.

use crate::services::completion;
use crate::storage::reports::{self as store, YearSecs};
use crate::storage::year_standings::{self as stored, Standing};
use chrono::{DateTime, Utc};
use qinxue_core::completion::{self as rule, secs_per_hour, Credit, Source, YearTerms};
use qinxue_core::{Grade, PolicyYear};
use sqlx::AnyConnection;
use std::collections::{BTreeSet, HashMap};

/// Trainees settled in one go: a few grouped reads for all of them.
const PER_ROUND: usize = stored::PER_STATEMENT;

/// A trainee with their standing in every year they have anything in.
#[derive(Debug, Clone)]
pub struct Settled {
    pub user_id: i64,
    pub unit_id: i64,
    pub profile_grade: Option<String>,
    pub years: Vec<Standing>,
}

impl Settled {
    /// The standing in `year`; nothing in it: the defaults of a year without a row.
    pub fn of_year(&self, year: i32, policy: &PolicyYear) -> Standing {
        self.years
            .iter()
            .find(|s| s.year == year)
            .cloned()
            .unwrap_or_else(|| Standing {
                user_id: self.user_id,
                year,
                grade: self.profile_grade.clone(),
                registered: false,
                paid: false,
                credited_secs: 0,
                required_secs: required_secs(policy, self.profile_grade.as_deref()),
                completed: false,
            })
    }
}

/// What `policy` requires of a trainee of `grade` (a wire name), in seconds.
pub fn required_secs(policy: &PolicyYear, grade: Option<&str>) -> i64 {
    grade.and_then(Grade::from_wire).map_or(0, |g| {
        i64::from(policy.required_hours(g)) * secs_per_hour(policy.minutes_per_hour)
    })
}

/// The standings of trainees `ids` at `now`; with `live`, counting what their live study
/// sessions carry beyond the stored credit.
pub async fn settle(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
    ids: &[i64],
    live: bool,
) -> Result<Vec<Settled>, sqlx::Error> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(PER_ROUND) {
        out.extend(settle_round(conn, now, chunk, live).await?);
    }
    Ok(out)
}

async fn settle_round(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
    ids: &[i64],
    live: bool,
) -> Result<Vec<Settled>, sqlx::Error> {
    let trainees = store::trainees(conn, ids).await?;
    let mut credits: HashMap<i64, Vec<(Source, YearSecs)>> = HashMap::new();
    for t in &trainees {
        for &(year, secs) in &t.lesson_secs {
            let c = YearSecs {
                user_id: t.id,
                year,
                secs,
                at: 0,
            };
            credits.entry(t.id).or_default().push((Source::Online, c));
        }
    }
    if live {
        for c in store::live_lesson_secs(conn, ids).await? {
            credits
                .entry(c.user_id)
                .or_default()
                .push((Source::Online, c));
        }
    }
    for c in store::activity_secs(conn, ids).await? {
        credits
            .entry(c.user_id)
            .or_default()
            .push((Source::Activity, c));
    }
    let mut years: BTreeSet<i32> = BTreeSet::new();
    years.extend(trainees.iter().flat_map(|t| &t.enrolments).map(|e| e.year));
    years.extend(trainees.iter().flat_map(|t| &t.ordered).copied());
    years.extend(credits.values().flatten().map(|c| c.1.year));
    let mut policies: HashMap<i32, PolicyYear> = HashMap::new();
    for y in years {
        policies.insert(y, completion::policy_of(conn, y).await?);
    }
    let none = Vec::new();
    Ok(trainees
        .into_iter()
        .map(|t| {
            let theirs = credits.get(&t.id).unwrap_or(&none);
            settle_one(t, theirs, &policies, now)
        })
        .collect())
}

fn settle_one(
    t: store::Trainee,
    theirs: &[(Source, YearSecs)],
    policies: &HashMap<i32, PolicyYear>,
    now: DateTime<Utc>,
) -> Settled {
    let mine = &t.enrolments;
    let mut own_years: BTreeSet<i32> = BTreeSet::new();
    own_years.extend(mine.iter().map(|e| e.year));
    own_years.extend(t.ordered.iter().copied());
    own_years.extend(theirs.iter().map(|c| c.1.year));
    let grade_of = |y: i32| -> Option<String> {
        mine.iter()
            .find(|e| e.year == y && Grade::from_wire(&e.grade).is_some())
            .map(|e| e.grade.clone())
            .or_else(|| t.grade.clone().filter(|g| Grade::from_wire(g).is_some()))
    };
    let terms: Vec<YearTerms> = own_years
        .iter()
        .filter_map(|y| {
            let p = policies.get(y)?;
            Some(YearTerms {
                year: *y,
                enrolled: mine.iter().any(|e| e.year == *y && e.active),
                required_secs: required_secs(p, grade_of(*y).as_deref()),
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
    let years = rule::settle(&terms, &list)
        .into_iter()
        .map(|o| Standing {
            user_id: t.id,
            year: o.year,
            grade: grade_of(o.year),
            registered: t.ordered.contains(&o.year) || mine.iter().any(|e| e.year == o.year),
            paid: o.enrolled,
            credited_secs: o.credited.total(),
            required_secs: o.required_secs,
            completed: o.completed,
        })
        .collect();
    Settled {
        user_id: t.id,
        unit_id: t.unit_id,
        profile_grade: t.grade,
        years,
    }
}

/// Settles up to one round of marked trainees and stores their standings; how many it
/// settled (fewer than a round: none are left that were marked before it began).
pub async fn settle_marked(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
) -> Result<usize, sqlx::Error> {
    let marks = stored::marked(conn, PER_ROUND).await?;
    let ids: Vec<i64> = marks.iter().map(|m| m.0).collect();
    let rows: Vec<Standing> = settle(conn, now, &ids, false)
        .await?
        .into_iter()
        .flat_map(|s| s.years)
        .collect();
    stored::replace(conn, &marks, &rows).await?;
    Ok(marks.len())
}

/// Whether a round of [`settle_marked`] left marks behind.
pub fn more_left(settled: usize) -> bool {
    settled == PER_ROUND
}
