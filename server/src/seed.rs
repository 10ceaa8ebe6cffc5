//! Demo data for `QINXUE_DEMO=1` (DESIGN.md §7), written only into a database with no
//! accounts, so a second start keeps everything.

use crate::content;
use crate::error::AppError;
use crate::services::orders;
use crate::state::AppState;
use crate::storage::{catalogue, enrolments, policy_years, units, users};
use chrono::{Datelike, Duration};
use qinxue_core::time::local_date;
use qinxue_core::{EmploymentType, Grade, PolicyYear, Role};

pub const DEMO_PASSWORD: &str = "Demo@2017";

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
    ("350502198001011235", "学员 王建国（中级工，已报名缴费）"),
    ("350582199203025017", "学员 林晓梅（未定级，未缴费）"),
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

/// The graded demo trainee's trade: their plan is every public course and this trade's.
const DEMO_TRADE: &str = "汽车驾驶员";

/// Seeds the demo into an empty database; tells whether it did.
pub async fn seed_demo(state: &AppState) -> Result<bool, AppError> {
    let courses = content::load(&state.config.content_dir)
        .map_err(|e| AppError::Internal(format!("course content: {e}")))?;
    let now = state.clock.now();
    let year = demo_year(local_date(now));
    let hash = state.hashing.hash(DEMO_PASSWORD.into()).await?;
    let now = now.timestamp();
    state
        .db
        .write(move |c| {
            Box::pin(async move {
                if users::count(&mut *c).await? > 0 {
                    return Ok(false);
                }
                policy_years::insert_if_missing(&mut *c, &year).await?;
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
                let graded_id = users::insert(&mut *c, &graded, now).await?;
                enrolments::insert(
                    &mut *c,
                    graded_id,
                    year.year,
                    Grade::Intermediate,
                    enrolments::ACTIVE,
                    now,
                )
                .await?;
                orders::seed_paid(&mut *c, &graded, graded_id, &year, now).await?;
                for course in &courses {
                    let id = catalogue::insert_course(&mut *c, course, now).await?;
                    if course.trades.is_empty() || course.trades.iter().any(|t| t == DEMO_TRADE) {
                        catalogue::select(&mut *c, graded_id, year.year, id, now).await?;
                    }
                }
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
                users::insert(&mut *c, &ungraded, now).await?;
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
    fn early_in_the_year_the_demo_uses_the_policy_deadlines() {
        let y = demo_year(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
        assert_eq!(y, PolicyYear::standard(2026));
    }
}
