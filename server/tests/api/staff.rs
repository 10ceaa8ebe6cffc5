//! The unit admin's staff view (issue 11 part 2): this year's status per person as each
//! person's own `/api/me/years` settles it, filtered and sorted, exported as CSV and XLSX with
//! every row of the filter; 身份证号 and phone masked.

use crate::helpers::{TestApp, DEMO_GRADED, DEMO_PASSWORD};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn each_person_s_year_is_what_they_see_themselves_filtered_sorted_and_exported() {
    let app = TestApp::spawn().await;
    let admin = app.login_as("unit-demo", DEMO_PASSWORD).await;
    let res = app.get(&admin, "/api/unit/staff/progress").await;
    assert_eq!(res.status(), StatusCode::OK);
    let all: Value = res.json().await.unwrap();
    let people = all["people"].as_array().unwrap();
    assert_eq!(all["total"].as_u64(), Some(people.len() as u64));
    let counted: u64 = all["by_status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["count"].as_u64().unwrap())
        .sum();
    assert_eq!(counted, people.len() as u64);
    for p in people {
        assert!(
            p["id_number"].as_str().unwrap().contains('*'),
            "masked: {p}"
        );
        assert!(p["phone"].as_str().unwrap().contains('*'), "masked: {p}");
    }
    let wang = people
        .iter()
        .find(|p| {
            p["id_number"]
                .as_str()
                .unwrap()
                .ends_with(&DEMO_GRADED[14..])
        })
        .expect("王建国 is staff of the demo unit");
    let lin = people
        .iter()
        .find(|p| p["paid"] == false)
        .expect("the demo unit has unpaid colleagues of 王建国");
    assert_eq!(
        (wang["registered"].as_bool(), wang["paid"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(lin["paid"], false);
    assert_ne!(lin["status"], "completed");

    // The same figures as the person's own years.
    let trainee = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    let years: Value = app
        .get(&trainee, "/api/me/years")
        .await
        .json()
        .await
        .unwrap();
    let own = years
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["year"] == all["year"])
        .expect("his year in force");
    assert_eq!(wang["credited_secs"], own["credited_total_secs"]);
    assert_eq!(wang["completed"], own["completed"]);
    let required =
        own["required_hours"].as_i64().unwrap() * own["minutes_per_hour"].as_i64().unwrap() * 60;
    assert_eq!(wang["required_secs"].as_i64(), Some(required));

    // Filter and sort.
    let paid: Value = app
        .get(&admin, "/api/unit/staff/progress?status=studying")
        .await
        .json()
        .await
        .unwrap();
    assert!(paid["people"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["status"] == "studying"));
    assert_eq!(
        paid["total"], all["total"],
        "the total is before the filter"
    );
    let found: Value = app
        .get(
            &admin,
            &format!("/api/unit/staff/progress?q={}", &DEMO_GRADED[12..]),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["people"].as_array().unwrap().len(), 1);
    assert_eq!(found["people"][0]["id"], wang["id"]);
    let by_progress: Value = app
        .get(&admin, "/api/unit/staff/progress?sort=progress")
        .await
        .json()
        .await
        .unwrap();
    let shares: Vec<f64> = by_progress["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let need = p["required_secs"].as_f64().unwrap();
            if need > 0.0 {
                p["credited_secs"].as_f64().unwrap() / need
            } else {
                1.0
            }
        })
        .collect();
    assert!(shares.windows(2).all(|w| w[0] <= w[1]), "{shares:?}");
    for bad in ["?status=gone", "?sort=age", "?limit=5", "?year=1999"] {
        let res = app
            .get(&admin, &format!("/api/unit/staff/progress{bad}"))
            .await;
        let want = if bad.contains("year") {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::BAD_REQUEST
        };
        assert_eq!(res.status(), want, "{bad}");
    }

    // Exports: every row of the filter, masked, CSV with a BOM and XLSX alike.
    let res = app.get(&admin, "/api/unit/staff/progress.csv").await;
    assert_eq!(res.status(), StatusCode::OK);
    let csv = res.bytes().await.unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"));
    let text = std::str::from_utf8(&csv[3..]).unwrap();
    assert!(text
        .starts_with("姓名,身份证号,手机,用工类型,工种,等级,状态,已报名,已缴费,已学学时,应学学时"));
    assert_eq!(text.lines().count(), people.len() + 1);
    assert!(
        !text.contains(DEMO_GRADED),
        "no whole 身份证号 in an export"
    );
    assert!(text.contains("王建国"));
    let res = app
        .get(&admin, "/api/unit/staff/progress.xlsx?status=studying")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap().to_vec();
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(sheet.height(), paid["people"].as_array().unwrap().len() + 1);

    for login in [
        "quanzhou-admin",
        "province-admin",
        DEMO_GRADED,
        "proctor-demo",
    ] {
        let someone = app.login_as(login, DEMO_PASSWORD).await;
        for path in [
            "/api/unit/staff/progress",
            "/api/unit/staff/progress.csv",
            "/api/unit/staff/progress.xlsx",
        ] {
            assert_eq!(
                app.get(&someone, path).await.status(),
                StatusCode::FORBIDDEN,
                "{login} {path}"
            );
        }
    }
}

#[tokio::test]
async fn the_non_completers_xlsx_has_the_rows_of_the_csv() {
    use calamine::{Data, Reader, Xlsx};
    let app = TestApp::spawn().await;
    let office = app.login_as("quanzhou-admin", DEMO_PASSWORD).await;
    let csv = app.get(&office, "/api/reports/non-completers.csv").await;
    assert_eq!(csv.status(), StatusCode::OK);
    let csv = csv.bytes().await.unwrap();
    let mut rows = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&csv[3..]);
    let csv_rows: Vec<Vec<String>> = rows
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let res = app.get(&office, "/api/reports/non-completers.xlsx").await;
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let xlsx_rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    assert!(csv_rows.len() > 1, "the demo has non-completers in 泉州");
    assert_eq!(xlsx_rows, csv_rows);
    let unit = app.login_as("unit-demo", DEMO_PASSWORD).await;
    assert_eq!(
        app.get(&unit, "/api/reports/non-completers.xlsx")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}
