//! Demo data for `QINXUE_DEMO=1` (DESIGN.md §7), written only into a database with no
//! accounts, so a second start keeps everything.

mod population;

use crate::content;
use crate::error::AppError;
use crate::services::orders;
use crate::state::AppState;
use crate::storage::completion::{insert_past_study, lessons_of, PastStudy};
use crate::storage::{self, catalogue, enrolments, group_sessions, policy_years, units, users};
use chrono::{Datelike, Duration, NaiveDate, TimeZone};
use qinxue_core::time::{local_date, shanghai};
use qinxue_core::{EmploymentType, Grade, PolicyYear, Role};

pub const DEMO_PASSWORD: &str = "Demo@2017";

/// The room code of the demo's group session: its terminals open `/room/QZJZ2626`.
pub const DEMO_ROOM_CODE: &str = "QZJZ2626";

/// The advisory lock that lets one server instance alone seed an empty database.
const SEED_LOCK: i64 = 0x5158_5345_4544_0000; // "QXSEED\0\0"

/// The demo's group session lasts from just before the seeding for this long.
const DEMO_ROOM_SECS: i64 = 8 * 3600;

/// Demo units: (region, name). The first two employ the demo trainees.
const UNITS: [(&str, &str); 7] = [
    ("350502", "泉州市鲤城区机关事务服务中心"),
    ("350582", "晋江市医院"),
    ("350503", "泉州市丰泽区市政园林管理所"),
    ("350590", "泉州台商投资区管理委员会"),
    ("350100", "福州市机关事务管理局"),
    ("350200", "厦门市思明区环境卫生服务中心"),
    ("350000", "福建省机关事务管理局"),
];

/// Staff of the first unit who have not paid: (身份证号, phone, name, trade, grade).
const UNIT_STAFF: [(&str, &str, &str, &str, Grade); 3] = [
    (
        "350502198503154324",
        "13805950003",
        "张秀英",
        "中式烹调师",
        Grade::Junior,
    ),
    (
        "350502199007223014",
        "13805950004",
        "李志强",
        "电工",
        Grade::Senior,
    ),
    (
        "350502197809091560",
        "13805950005",
        "陈美玲",
        "绿化工",
        Grade::Ungraded,
    ),
];

/// Sign-in names of the demo accounts and what each is, for the start-up banner.
pub const DEMO_LOGINS: [(&str, &str); 6] = [
    (
        "350502198001011235",
        "学员 王建国（中级工，已报名缴费；上一年度已完成，可下载学时证明）",
    ),
    (
        "350582199203025017",
        "学员 林晓梅（未定级，未缴费；上一年度未完成）",
    ),
    ("unit-demo", "单位管理员（泉州市鲤城区机关事务服务中心）"),
    ("quanzhou-admin", "泉州市工考办管理员"),
    ("province-admin", "省工考办管理员"),
    ("proctor-demo", "监考员（鲤城区）"),
];

/// The demo's policy year: the standard one, with registration kept open for 30 more days
/// after the day of seeding, but inside the calendar year (until 30 Dec at the latest), so
/// that the year's deadlines fall in the year and tests can cross them with the test clock.
pub fn demo_year(today: chrono::NaiveDate) -> PolicyYear {
    let mut y = PolicyYear::standard(today.year());
    let last_open = chrono::NaiveDate::from_ymd_opt(today.year(), 12, 30).expect("valid date");
    y.registration_deadline = y
        .registration_deadline
        .max((today + Duration::days(30)).min(last_open));
    y
}

/// 林晓梅's credit in the previous year: 10 of her 24 学时 (45 minutes each).
const UNFINISHED_SECS: i64 = 10 * 45 * 60;

/// A Shanghai wall-clock instant of `day` (Unix seconds).
fn local_instant(day: NaiveDate, hour: u32) -> i64 {
    let t = day.and_hms_opt(hour, 0, 0).expect("valid time");
    shanghai()
        .from_local_datetime(&t)
        .single()
        .expect("fixed offsets are unambiguous")
        .timestamp()
}

/// A trainee's study of a past year, one lesson a day from 1 September at 9 o'clock, each
/// lesson to its full length until `budget` seconds are credited.
async fn study_past_year(
    c: &mut sqlx::AnyConnection,
    user_id: i64,
    year: i32,
    courses: &[i64],
    budget: i64,
) -> Result<(), AppError> {
    let mut day = NaiveDate::from_ymd_opt(year, 9, 1).expect("valid date");
    let mut left = budget;
    for course in courses {
        for (lesson_id, _, duration) in lessons_of(&mut *c, *course).await? {
            let secs = duration.min(left);
            if secs <= 0 {
                return Ok(());
            }
            let started_at = local_instant(day, 9);
            insert_past_study(
                &mut *c,
                PastStudy {
                    user_id,
                    lesson_id,
                    year,
                    secs,
                    day,
                    started_at,
                    ended_at: started_at + secs,
                },
            )
            .await?;
            left -= secs;
            day += Duration::days(1);
        }
    }
    Ok(())
}

/// The graded demo trainee's trade: their plan is every public course and this trade's.
const DEMO_TRADE: &str = "汽车驾驶员";

/// Seeds the demo into an empty database; tells whether it did.
pub async fn seed_demo(state: &AppState) -> Result<bool, AppError> {
    let courses = content::load(&state.config.content_dir)
        .map_err(|e| AppError::Internal(format!("course content: {e}")))?;
    let now = state.clock.now();
    let year = demo_year(local_date(now));
    // A previous year for both demo trainees (DESIGN.md §8): 王建国 completed it, 林晓梅 paid
    // for it and did not finish, so it stays open. They registered in its spring.
    let last_year = PolicyYear::standard(year.year - 1);
    let registered_at = local_instant(
        NaiveDate::from_ymd_opt(last_year.year, 3, 1).expect("valid date"),
        10,
    );
    let hash = state.hashing.hash(DEMO_PASSWORD.into()).await?;
    let now = now.timestamp();
    state
        .db
        .write(move |c| {
            Box::pin(async move {
                // Two instances started at once on an empty database would both find no users.
                storage::serialise(&mut *c, SEED_LOCK).await?;
                if users::count(&mut *c).await? > 0 {
                    return Ok(false);
                }
                policy_years::insert_if_missing(&mut *c, &year).await?;
                policy_years::insert_if_missing(&mut *c, &last_year).await?;
                let mut unit_ids = Vec::new();
                for (region, name) in UNITS {
                    unit_ids.push(units::insert(&mut *c, name, region, now).await?);
                }
                let trainee =
                    |id_number: &str, phone: &str, name: &str, unit: i64, trade: &str, grade| {
                        users::NewUser {
                            role: Role::Trainee,
                            username: None,
                            id_number: Some(id_number.into()),
                            phone: Some(phone.into()),
                            name: name.into(),
                            password_hash: hash.clone(),
                            unit_id: Some(unit),
                            region_code: None,
                            employment_type: Some(EmploymentType::InPost),
                            trade: Some(trade.into()),
                            grade: Some(grade),
                        }
                    };
                let admin =
                    |role, username: &str, name: &str, unit: Option<i64>, region: Option<&str>| {
                        users::NewUser {
                            role,
                            username: Some(username.into()),
                            id_number: None,
                            phone: None,
                            name: name.into(),
                            password_hash: hash.clone(),
                            unit_id: unit,
                            region_code: region.map(Into::into),
                            employment_type: None,
                            trade: None,
                            grade: None,
                        }
                    };
                let graded = trainee(
                    "350502198001011235",
                    "13805950001",
                    "王建国",
                    unit_ids[0],
                    DEMO_TRADE,
                    Grade::Intermediate,
                );
                let graded_id = users::insert(&mut *c, &graded, registered_at).await?;
                for (id, y, paid_at) in [
                    (graded_id, &last_year, registered_at),
                    (graded_id, &year, now),
                ] {
                    enrolments::insert(
                        &mut *c,
                        id,
                        y.year,
                        Grade::Intermediate,
                        enrolments::ACTIVE,
                        paid_at,
                    )
                    .await?;
                    orders::seed_paid(&mut *c, &graded, id, y, paid_at).await?;
                }
                let mut plan = Vec::new();
                let mut public = Vec::new();
                let mut lessons = Vec::new();
                for course in &courses {
                    let id = catalogue::insert_course(&mut *c, course, now).await?;
                    lessons.extend(
                        lessons_of(&mut *c, id)
                            .await?
                            .into_iter()
                            .map(|(lesson, _, length)| (lesson, length)),
                    );
                    if course.trades.is_empty() {
                        public.push(id);
                    }
                    if course.trades.is_empty() || course.trades.iter().any(|t| t == DEMO_TRADE) {
                        plan.push(id);
                        for y in [last_year.year, year.year] {
                            catalogue::select(&mut *c, graded_id, y, id, registered_at).await?;
                        }
                    }
                }
                // Every lesson of his plan to its full length: 42 学时 and the practice.
                study_past_year(&mut *c, graded_id, last_year.year, &plan, i64::MAX).await?;
                // Unpaid colleagues of 王建国, so that the unit admin has someone to pay for in
                // one bulk order.
                for (id_number, phone, name, trade, grade) in UNIT_STAFF {
                    let staff = trainee(id_number, phone, name, unit_ids[0], trade, grade);
                    users::insert(&mut *c, &staff, now).await?;
                }
                let ungraded = trainee(
                    "350582199203025017",
                    "13805950002",
                    "林晓梅",
                    unit_ids[1],
                    "保洁员",
                    Grade::Ungraded,
                );
                let ungraded_id = users::insert(&mut *c, &ungraded, registered_at).await?;
                enrolments::insert(
                    &mut *c,
                    ungraded_id,
                    last_year.year,
                    Grade::Ungraded,
                    enrolments::ACTIVE,
                    registered_at,
                )
                .await?;
                orders::seed_paid(&mut *c, &ungraded, ungraded_id, &last_year, registered_at)
                    .await?;
                for id in &public {
                    catalogue::select(&mut *c, ungraded_id, last_year.year, *id, registered_at)
                        .await?;
                }
                study_past_year(
                    &mut *c,
                    ungraded_id,
                    last_year.year,
                    &public,
                    UNFINISHED_SECS,
                )
                .await?;
                for account in [
                    admin(
                        Role::UnitAdmin,
                        "unit-demo",
                        "陈丽华",
                        Some(unit_ids[0]),
                        Some("350502"),
                    ),
                    admin(
                        Role::OfficeAdmin,
                        "quanzhou-admin",
                        "泉州市工考办",
                        None,
                        Some("350500"),
                    ),
                    admin(
                        Role::ProvincialAdmin,
                        "province-admin",
                        "福建省工考办",
                        None,
                        Some("350000"),
                    ),
                    admin(
                        Role::Proctor,
                        "proctor-demo",
                        "黄志明",
                        None,
                        Some("350502"),
                    ),
                ] {
                    users::insert(&mut *c, &account, now).await?;
                }
                // Staff enough for the dashboards, in the other units of 泉州 and the province
                // (丰泽区, 泉州台商投资区, the province's own) and in further ones.
                let own = [
                    (unit_ids[2], UNITS[2].0),
                    (unit_ids[3], UNITS[3].0),
                    (unit_ids[6], UNITS[6].0),
                ];
                population::seed(&mut *c, &own, &lessons, &public, &hash, &year, now).await?;
                // A session of today that the proctor can open at once (DESIGN.md §8).
                group_sessions::insert_demo(
                    &mut *c,
                    DEMO_ROOM_CODE,
                    "350502",
                    "quanzhou-admin",
                    "proctor-demo",
                    year.year,
                    (now - 5 * 60, now + DEMO_ROOM_SECS),
                )
                .await?;
                Ok(true)
            })
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use qinxue_core::account::{parse_name, TRADES};
    use qinxue_core::{IdNumber, Phone};

    #[test]
    fn after_31_october_the_demo_keeps_registration_open_for_30_days() {
        let y = demo_year(NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
        assert_eq!(
            y.registration_deadline,
            NaiveDate::from_ymd_opt(2026, 12, 24).unwrap()
        );
        assert_eq!(
            y.study_deadline,
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
        );
    }

    #[test]
    fn in_december_the_demo_deadlines_stay_inside_the_year() {
        let y = demo_year(NaiveDate::from_ymd_opt(2026, 12, 10).unwrap());
        assert_eq!(
            y.registration_deadline,
            NaiveDate::from_ymd_opt(2026, 12, 30).unwrap()
        );
        assert_eq!(
            y.study_deadline,
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
        );
    }

    #[test]
    fn the_demo_staff_pass_the_checks_registration_applies() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        for (id_number, phone, name, trade, _) in UNIT_STAFF {
            assert!(IdNumber::parse(id_number, today).is_ok(), "{id_number}");
            assert!(Phone::parse(phone).is_ok(), "{phone}");
            assert!(parse_name(name).is_ok(), "{name}");
            assert!(TRADES.contains(&trade), "{trade}");
        }
    }

    #[test]
    fn the_demo_room_code_is_one_the_kiosk_accepts() {
        assert!(qinxue_core::group::is_room_code(DEMO_ROOM_CODE));
    }

    #[test]
    fn early_in_the_year_the_demo_uses_the_policy_deadlines() {
        let y = demo_year(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
        assert_eq!(y, PolicyYear::standard(2026));
    }
}
