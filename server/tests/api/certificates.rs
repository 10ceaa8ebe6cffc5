//! Certificates (学时证明): issued for a completed year only, the PDF with its Chinese text,
//! the QR code's signed payload, public verification, and a unit's certificates as a ZIP.

use crate::helpers::{error_of, TestApp, DEMO_GRADED, DEMO_PASSWORD, DEMO_UNGRADED};
use ed25519_dalek::VerifyingKey;
use qinxue_core::certificate;
use reqwest::{Client, StatusCode};
use serde_json::Value;
use std::io::Read;

async fn this_year(app: &TestApp, client: &Client) -> i64 {
    let me: Value = app.get(client, "/api/me").await.json().await.unwrap();
    me["year"]["year"].as_i64().unwrap()
}

async fn certificate_of(app: &TestApp, client: &Client, year: i64) -> Value {
    let res = app
        .get(client, &format!("/api/me/certificates/{year}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// The text of a PDF, as poppler's pdftotext extracts it.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed for the tests");
    assert!(out.status.success(), "pdftotext: {:?}", out);
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn the_demo_trainee_gets_last_years_certificate_and_the_same_one_again() {
    let app = TestApp::spawn().await;
    let me = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    let last = this_year(&app, &me).await - 1;
    let c = certificate_of(&app, &me, last).await;
    let code = c["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 10);
    assert_eq!(c["url"], format!("{}/verify/{code}", app.base));
    assert_eq!(c["pdf_url"], format!("/api/me/certificates/{last}/pdf"));
    let f = &c["facts"];
    assert_eq!(f["name"], "王建国");
    assert_eq!(f["id_number"], "350***********1235");
    assert_eq!(f["year"], last);
    assert_eq!(f["grade"], "intermediate");
    assert_eq!(f["required_hours"], 42);
    assert!(f["tenths"]["online"].as_i64().unwrap() >= 400);
    assert_eq!(c["unit_name"], "泉州市鲤城区机关事务服务中心");
    assert_eq!(c["revoked"], false);
    // Issued once: the same code and payload however often it is asked for.
    let again = certificate_of(&app, &me, last).await;
    assert_eq!(again, c);
}

#[tokio::test]
async fn an_unfinished_or_unknown_year_has_no_certificate() {
    let app = TestApp::spawn().await;
    let me = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    let year = this_year(&app, &me).await;
    let res = app.get(&me, &format!("/api/me/certificates/{year}")).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let e = error_of(res).await;
    assert_eq!(e["code"], "not_completed");
    assert!(
        e["message"].as_str().unwrap().contains("还差 42.0 学时"),
        "{e}"
    );
    let res = app.get(&me, "/api/me/certificates/1999").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .get(&me, &format!("/api/me/certificates/{year}/pdf"))
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    let her = app.login_as(DEMO_UNGRADED, DEMO_PASSWORD).await;
    let res = app
        .get(&her, &format!("/api/me/certificates/{}", year - 1))
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let e = error_of(res).await;
    assert!(
        e["message"].as_str().unwrap().contains("还差 14.0 学时"),
        "{e}"
    );
    let res = app.get(&her, &format!("/api/me/certificates/{year}")).await;
    assert!(error_of(res).await["message"]
        .as_str()
        .unwrap()
        .contains("未报名缴费"));
}

#[tokio::test]
async fn the_pdf_prints_the_certificate_in_chinese() {
    let app = TestApp::spawn().await;
    let me = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    let last = this_year(&app, &me).await - 1;
    let c = certificate_of(&app, &me, last).await;
    let res = app.get(&me, c["pdf_url"].as_str().unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let pdf = res.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // The subset of the font that the page uses, not the whole 5 MB font.
    assert!(pdf.len() < 400_000, "{} bytes", pdf.len());
    let text = pdf_text(&pdf);
    for expected in [
        "学时证明",
        "王建国",
        "350***********1235",
        "泉州市鲤城区机关事务服务中心",
        "中级工",
        "网络学习",
        c["code"].as_str().unwrap(),
        &format!("{last} 年度"),
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    let svg = app
        .get(&me, &format!("/api/me/certificates/{last}/qr.svg"))
        .await;
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert!(svg.text().await.unwrap().starts_with("<svg"));
}

#[tokio::test]
async fn anyone_verifies_a_certificate_by_its_code_and_its_qr_payload_is_signed() {
    let app = TestApp::spawn().await;
    let me = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    let last = this_year(&app, &me).await - 1;
    let c = certificate_of(&app, &me, last).await;
    let code = c["code"].as_str().unwrap();
    let anyone = app.client();
    for asked in [code.to_owned(), code.to_lowercase()] {
        let res = app.get(&anyone, &format!("/api/verify/{asked}")).await;
        assert_eq!(res.status(), StatusCode::OK);
        let v: Value = res.json().await.unwrap();
        assert_eq!(v["facts"], c["facts"]);
        assert_eq!(v["unit_name"], c["unit_name"]);
        assert_eq!(v["revoked"], false);
        assert!(v["pdf_url"].is_null(), "only its holder gets the PDF");
    }
    for unknown in ["0000000000", "nonsense", "7K3M9Q2XH%3F"] {
        let res = app.get(&anyone, &format!("/api/verify/{unknown}")).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{unknown}");
        error_of(res).await;
    }

    // The QR code: the verification page, the payload after `#`.
    let qr = c["qr_text"].as_str().unwrap();
    let (page, fragment) = qr.split_once('#').unwrap();
    assert_eq!(page, c["url"].as_str().unwrap());
    let payload = fragment
        .replace("%20", " ")
        .replace("%2B", "+")
        .replace("%25", "%");
    assert_eq!(payload, c["payload"].as_str().unwrap());
    assert!(payload.len() < 300, "{} characters", payload.len());
    let key: Value = app
        .get(&anyone, "/api/verify/key")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(key["algorithm"], "Ed25519");
    let bytes: [u8; 32] = hex::decode(key["public_key"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let key = VerifyingKey::from_bytes(&bytes).unwrap();
    let facts = qinxue_server::certificates::verify_with(&key, &payload).unwrap();
    assert_eq!(serde_json::to_value(&facts).unwrap(), c["facts"]);
    // One more 学时 in the payload, as a doctored certificate would claim: it reads, and fails.
    let mut raw = certificate::base45_decode(&payload).unwrap();
    raw[14] = raw[14].wrapping_add(10);
    let doctored = certificate::base45_encode(&raw);
    assert!(certificate::open(&doctored).is_ok());
    assert!(qinxue_server::certificates::verify_with(&key, &doctored).is_err());
}

#[tokio::test]
async fn verification_is_rate_limited_per_address() {
    let app = TestApp::spawn().await;
    let anyone = app.client();
    let mut statuses = Vec::new();
    for _ in 0..31 {
        statuses.push(app.get(&anyone, "/api/verify/0000000000").await.status());
    }
    assert!(statuses[..30].iter().all(|s| *s == StatusCode::NOT_FOUND));
    assert_eq!(statuses[30], StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_unit_admin_downloads_the_units_certificates_as_one_zip() {
    let app = TestApp::spawn().await;
    let me = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    let last = this_year(&app, &me).await - 1;
    let admin = app.login_as("unit-demo", DEMO_PASSWORD).await;
    let res = app
        .get(&admin, &format!("/api/unit/certificates.zip?year={last}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/zip");
    let bytes = res.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names: Vec<String> = zip.file_names().map(str::to_owned).collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(
        names[0].starts_with(&format!("学时证明-{last}-王建国-")),
        "{names:?}"
    );
    let mut pdf = Vec::new();
    zip.by_index(0).unwrap().read_to_end(&mut pdf).unwrap();
    assert!(pdf_text(&pdf).contains("王建国"));
    // The certificate in it is the one 王建国 gets.
    let c = certificate_of(&app, &me, last).await;
    assert!(names[0].ends_with(&format!("{}.pdf", c["code"].as_str().unwrap())));

    // This year nobody has completed: the ZIP holds the list of who has not.
    let res = app.get(&admin, "/api/unit/certificates.zip").await;
    let bytes = res.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut list = String::new();
    zip.by_name("未完成名单.txt")
        .unwrap()
        .read_to_string(&mut list)
        .unwrap();
    assert!(list.contains("王建国") && list.contains("还差"), "{list}");
    assert!(!list.contains("350502198001011235"), "masked: {list}");

    let res = app
        .get(&me, &format!("/api/unit/certificates.zip?year={last}"))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
