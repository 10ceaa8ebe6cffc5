//! The demo's staff beyond the named accounts: a few hundred trainees in units of several
//! cities and of 泉州's counties, with a spread of progress in the current year (not
//! registered, paid and not started, part-way, completed), so that the offices' dashboards
//! have something to show after `make run`. 鲤城区 (王建国's county) and 福州 and 厦门 get
//! nobody new: the stories and tests of the named accounts stay as they were.
//!
//! Written inside the seed's one transaction, many rows a statement.

use crate::error::AppError;
use crate::services::orders;
use crate::storage::{params, study, users};
use chrono::{Duration, NaiveDate};
use qinxue_core::completion::secs_per_hour;
use qinxue_core::id_number::check_char;
use qinxue_core::{EmploymentType, Grade, PolicyYear, Role};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

/// Further demo units: (region, name). None in 鲤城区, 福州 or 厦门 (see the module comment).
pub const UNITS: [(&str, &str); 12] = [
    ("350503", "泉州市丰泽区实验小学"),
    ("350582", "晋江市自来水公司"),
    ("350581", "石狮市市政工程管理处"),
    ("350583", "南安市人民医院"),
    ("350521", "惠安县公路分局"),
    ("350524", "安溪县茶业发展中心"),
    ("350300", "莆田市城市管理局"),
    ("350400", "三明市林业局"),
    ("350600", "漳州市水利局"),
    ("350800", "龙岩市机关事务管理局"),
    ("350900", "宁德市港口管理局"),
    ("350128", "平潭综合实验区公用事业服务中心"),
];

/// How many trainees each demo unit (these and the seed's own other units) gets.
const PER_UNIT: usize = 26;

const SURNAMES: [&str; 16] = [
    "陈", "林", "黄", "张", "李", "王", "吴", "刘", "蔡", "杨", "郑", "许", "洪", "苏", "曾", "庄",
];
const GIVEN: [&str; 20] = [
    "志明", "秀兰", "建华", "丽娟", "国强", "美玲", "文杰", "淑芬", "家豪", "雅婷", "永福", "春梅",
    "金水", "惠珍", "荣华", "玉兰", "明辉", "碧霞", "海峰", "丽君",
];
const TRADES: [&str; 6] = [
    "电工",
    "汽车驾驶员",
    "保洁员",
    "绿化工",
    "中式烹调师",
    "保安员",
];

/// A small deterministic mix, so that every seeding tells the same story.
fn mix(i: u64) -> u64 {
    let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^ (x >> 32)
}

struct Person {
    id_number: String,
    phone: String,
    name: String,
    unit: i64,
    trade: &'static str,
    grade: Grade,
    /// Share of the year's requirement studied, in percent; `None`: not registered.
    progress: Option<u64>,
}

fn people(units: &[(i64, &str)]) -> Vec<Person> {
    let mut out = Vec::new();
    for (u, (unit, region)) in units.iter().enumerate() {
        for k in 0..PER_UNIT {
            let i = (u * PER_UNIT + k) as u64;
            let r = mix(i + 1);
            let born = NaiveDate::from_ymd_opt(
                1965 + (r % 35) as i32,
                1 + (r >> 8) as u32 % 12,
                1 + (r >> 16) as u32 % 28,
            )
            .expect("valid date");
            let first17 = format!("{region}{}{:03}", born.format("%Y%m%d"), 100 + i % 900);
            let id_number = format!("{first17}{}", check_char(first17.as_bytes()));
            let grade = match r >> 24 & 7 {
                0 | 1 => Grade::Ungraded,
                2 => Grade::Junior,
                3 | 4 => Grade::Intermediate,
                5 => Grade::Senior,
                6 => Grade::Technician,
                _ => Grade::SeniorTechnician,
            };
            // Units differ: some chase their staff harder than others.
            let keen = mix(*unit as u64) % 40;
            let roll = (r >> 32) % 100;
            let progress = if roll < 15 + keen / 4 {
                None
            } else {
                let p = (r >> 40) % 100;
                Some(if p < 20 + keen {
                    100
                } else if p < 30 + keen {
                    0
                } else {
                    p
                })
            };
            out.push(Person {
                id_number,
                phone: format!("137{:08}", 10_000_000 + i),
                name: format!(
                    "{}{}",
                    SURNAMES[(r % 16) as usize],
                    GIVEN[((r >> 4) % 20) as usize]
                ),
                unit: *unit,
                trade: TRADES[((r >> 12) % 6) as usize],
                grade,
                progress,
            });
        }
    }
    out
}

/// Runs a multi-row insert of `cols` columns, `rows` at a time.
async fn insert_rows<T>(
    c: &mut AnyConnection,
    head: &str,
    cols: usize,
    rows: &[T],
    bind: impl for<'q> Fn(
        sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
        &'q T,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
) -> Result<(), AppError> {
    for chunk in rows.chunks(200) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", params(c, 1 + i * cols, cols)))
            .collect();
        let sql = format!("{head} VALUES {}", values.join(", "));
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = bind(q, r);
        }
        q.execute(&mut *c).await?;
    }
    Ok(())
}

/// Seeds the further units and their staff. `units` are the seed's own units that may get
/// staff (region, id); `lessons` every lesson (id, length) in catalogue order.
pub async fn seed(
    c: &mut AnyConnection,
    own_units: &[(i64, &'static str)],
    lessons: &[(i64, i64)],
    public: &[i64],
    hash: &str,
    year: &PolicyYear,
    now: i64,
) -> Result<(), AppError> {
    let mut units: Vec<(i64, &str)> = own_units.to_vec();
    for (region, name) in UNITS {
        units.push((
            crate::storage::units::insert(&mut *c, name, region, now).await?,
            region,
        ));
    }
    let people = people(&units);
    insert_rows(
        &mut *c,
        "INSERT INTO users (role, username, id_number, phone, name, password_hash, unit_id, \
         region_code, employment_type, trade, grade, created_at)",
        12,
        &people,
        |q, p| {
            q.bind(Role::Trainee.as_str())
                .bind(None::<String>)
                .bind(p.id_number.as_str())
                .bind(p.phone.as_str())
                .bind(p.name.as_str())
                .bind(hash.to_owned())
                .bind(p.unit)
                .bind(None::<String>)
                .bind(EmploymentType::InPost.as_str())
                .bind(p.trade)
                .bind(p.grade.as_str())
                .bind(now)
        },
    )
    .await?;
    let ids: BTreeMap<String, i64> =
        sqlx::query("SELECT id, id_number FROM users WHERE role = 'trainee' AND phone LIKE '137%'")
            .fetch_all(&mut *c)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("id_number")?, r.try_get("id")?)))
            .collect::<Result<_, sqlx::Error>>()?;

    let today =
        qinxue_core::time::local_date(chrono::DateTime::from_timestamp(now, 0).unwrap_or_default());
    let first_day = NaiveDate::from_ymd_opt(year.year, 1, 1).expect("valid date");
    let per = secs_per_hour(year.minutes_per_hour);
    let mut enrolled = Vec::new();
    let mut selections = Vec::new();
    let mut progress = Vec::new();
    let mut days: BTreeMap<(i64, NaiveDate), i64> = BTreeMap::new();
    for p in &people {
        let (Some(pct), Some(&id)) = (p.progress, ids.get(&p.id_number)) else {
            continue;
        };
        enrolled.push((id, p.grade));
        let account = users::NewUser {
            role: Role::Trainee,
            username: None,
            id_number: Some(p.id_number.clone()),
            phone: Some(p.phone.clone()),
            name: p.name.clone(),
            password_hash: String::new(),
            unit_id: Some(p.unit),
            region_code: None,
            employment_type: Some(EmploymentType::InPost),
            trade: Some(p.trade.into()),
            grade: Some(p.grade),
        };
        orders::seed_paid(&mut *c, &account, id, year, now).await?;
        selections.extend(public.iter().map(|course| (id, *course)));
        let mut left = i64::from(year.required_hours(p.grade)) * per * pct as i64 / 100;
        // One lesson a day, the last one yesterday (or today, early in January).
        let count = lessons.len() as i64;
        for (k, (lesson, length)) in lessons.iter().enumerate() {
            if left <= 0 {
                break;
            }
            let secs = (*length).min(left);
            left -= secs;
            let day = (today - Duration::days(count - k as i64)).max(first_day);
            progress.push((id, *lesson, secs));
            *days.entry((id, day)).or_default() += secs;
        }
    }
    let y = i64::from(year.year);
    insert_rows(
        &mut *c,
        "INSERT INTO enrolments (user_id, year, grade, status, created_at)",
        5,
        &enrolled,
        |q, (id, grade)| {
            q.bind(*id)
                .bind(y)
                .bind(grade.as_str())
                .bind(crate::storage::enrolments::ACTIVE)
                .bind(now)
        },
    )
    .await?;
    insert_rows(
        &mut *c,
        "INSERT INTO selections (user_id, year, course_id, created_at)",
        4,
        &selections,
        |q, (id, course)| q.bind(*id).bind(y).bind(*course).bind(now),
    )
    .await?;
    insert_rows(
        &mut *c,
        "INSERT INTO lesson_progress (user_id, lesson_id, year, credited_secs, furthest_secs, \
         position_secs, updated_at)",
        7,
        &progress,
        |q, (id, lesson, secs)| {
            q.bind(*id)
                .bind(*lesson)
                .bind(y)
                .bind(*secs)
                .bind(*secs)
                .bind(*secs)
                .bind(now)
        },
    )
    .await?;
    let keys: Vec<(i64, i64)> = progress.iter().map(|(id, _, _)| (*id, y)).collect();
    crate::storage::lesson_year_totals::refresh(&mut *c, &keys).await?;
    // The population's enrolments, orders and credit were written in bulk: settle everyone.
    crate::storage::year_standings::mark_all(&mut *c).await?;
    let days: Vec<(i64, String, i64)> = days
        .into_iter()
        .map(|((id, day), secs)| (id, study::day_key(day), secs))
        .collect();
    insert_rows(
        &mut *c,
        "INSERT INTO study_days (user_id, day, credited_secs)",
        3,
        &days,
        |q, (id, day, secs)| q.bind(*id).bind(day.as_str()).bind(*secs),
    )
    .await?;
    Ok(())
}
