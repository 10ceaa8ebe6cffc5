//! The calls of the units' and offices' tools (policy years, audit log, roster, reports,
//! activities), made through the one client, [`crate::api`], and read with serde: this module
//! is in the admin bundle only.

use crate::api::{self, json, ApiError, Body};
use qinxue_core::office::{AuditPage, PolicyYearView};
use qinxue_core::PolicyYear;
use serde::de::DeserializeOwned;

async fn call<T: DeserializeOwned>(method: &str, path: &str, body: Body) -> Result<T, ApiError> {
    api::read_serde(&api::send(method, path, body).await?)
}

/// Percent-encodes a query value (names and dates may hold anything).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `?a=1&b=2` from the pairs whose value is not empty.
pub fn query(pairs: &[(&str, String)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v.trim())))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

pub async fn policy_years() -> Result<Vec<PolicyYearView>, ApiError> {
    call("GET", "/api/admin/policy-years", Body::Empty).await
}

pub async fn save_policy_year(y: &PolicyYear) -> Result<PolicyYearView, ApiError> {
    let path = format!("/api/admin/policy-years/{}", y.year);
    call("PUT", &path, json(y)).await
}

pub async fn create_next_year() -> Result<PolicyYearView, ApiError> {
    call("POST", "/api/admin/policy-years", Body::Empty).await
}

/// `GET /api/admin/audit` with the query made by [`query`].
pub async fn audit(query: &str) -> Result<AuditPage, ApiError> {
    call("GET", &format!("/api/admin/audit{query}"), Body::Empty).await
}

/// `GET /api/reports/summary` of a region (the reader's own when `None`), or of one unit in it.
pub async fn report_summary(
    region: Option<String>,
    unit: Option<i64>,
) -> Result<qinxue_core::office::ReportSummary, ApiError> {
    let q = query(&[
        ("region", region.unwrap_or_default()),
        ("unit", unit.map(|u| u.to_string()).unwrap_or_default()),
    ]);
    call("GET", &format!("/api/reports/summary{q}"), Body::Empty).await
}

/// `GET /api/activities`: those of the reader's subtree, the latest first.
pub async fn activities() -> Result<Vec<qinxue_core::activity::Activity>, ApiError> {
    call("GET", "/api/activities", Body::Empty).await
}

/// `POST /api/activities`: an office files one.
pub async fn file_activity(
    input: &qinxue_core::activity::ActivityInput,
) -> Result<qinxue_core::activity::Activity, ApiError> {
    call("POST", "/api/activities", json(input)).await
}

/// `POST /api/activities/{id}/approve`, or `/reject` with a reason.
pub async fn decide_activity(
    id: i64,
    reason: Option<String>,
) -> Result<qinxue_core::activity::Activity, ApiError> {
    match reason {
        None => {
            call(
                "POST",
                &format!("/api/activities/{id}/approve"),
                Body::Empty,
            )
            .await
        }
        Some(reason) => {
            let body = qinxue_core::activity::RejectActivity { reason };
            call("POST", &format!("/api/activities/{id}/reject"), json(&body)).await
        }
    }
}

/// `POST /api/activities/{id}/attendance` with the pasted 身份证号.
pub async fn upload_attendance(
    id: i64,
    id_numbers: Vec<String>,
) -> Result<qinxue_core::activity::AttendanceReport, ApiError> {
    let body = qinxue_core::activity::AttendanceUpload { id_numbers };
    call(
        "POST",
        &format!("/api/activities/{id}/attendance"),
        json(&body),
    )
    .await
}
