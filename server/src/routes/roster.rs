//! The unit admin's roster: import (CSV or XLSX) and export (DESIGN.md §8).

use crate::access::Actor;
use crate::error::{AppError, Result};
use crate::extract::ApiQuery;
use crate::services::{roster, spreadsheet};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::IntoResponse;
use axum::Json;
use http_body_util::BodyExt;
use qinxue_core::api::ErrorBody;
use qinxue_core::office::RosterReport;
use qinxue_core::ErrorCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import))
        .routes(routes!(export_csv))
        .routes(routes!(export_xlsx))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ImportQuery {
    /// `true`: check the file and say what an import would do, writing nothing.
    #[serde(default)]
    dry_run: bool,
}

/// Reads the upload whole, refusing it once it passes the limit: a roster is small, and the
/// rows are checked against each other before anything is written.
pub(super) async fn read_upload(body: Body) -> Result<Vec<u8>> {
    let limit = roster::MAX_BYTES + 64 * 1024;
    let limited = http_body_util::Limited::new(body, limit);
    match limited.collect().await {
        Ok(collected) => Ok(collected.to_bytes().to_vec()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(AppError::Explained {
            code: ErrorCode::FileTooLarge,
            message: format!(
                "文件超过 {} MB，请分成几个文件导入",
                roster::MAX_BYTES / 1024 / 1024
            ),
        }),
        Err(_) => Err(AppError::Explained {
            code: ErrorCode::InvalidImport,
            message: "上传中断，请重新上传".to_owned(),
        }),
    }
}

/// The `file` part of a `multipart/form-data` body (browsers and HTTP clients write each part
/// as headers, a blank line, the bytes, then CRLF and the next boundary).
pub(super) fn multipart_file(content_type: &str, body: &[u8]) -> Result<Vec<u8>> {
    let refused = |message: &str| AppError::Explained {
        code: ErrorCode::InvalidImport,
        message: message.to_owned(),
    };
    let boundary = content_type
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("boundary="))
        .next()
        .map(|b| b.trim_matches('"'))
        .filter(|b| !b.is_empty())
        .ok_or_else(|| refused("上传内容不完整，请重新选择文件上传"))?;
    let delimiter = format!("--{boundary}");
    let d = delimiter.as_bytes();
    let find = |hay: &[u8], needle: &[u8], from: usize| {
        hay.get(from..)?
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|i| i + from)
    };
    let mut at = find(body, d, 0).ok_or_else(|| refused("上传内容不完整，请重新选择文件上传"))?;
    loop {
        let start = at + d.len();
        if body.get(start..start + 2) == Some(b"--") {
            break;
        }
        let headers_end = find(body, b"\r\n\r\n", start)
            .ok_or_else(|| refused("上传内容不完整，请重新选择文件上传"))?;
        let next = find(body, d, headers_end)
            .ok_or_else(|| refused("上传内容不完整，请重新选择文件上传"))?;
        let headers = String::from_utf8_lossy(&body[start..headers_end]).to_ascii_lowercase();
        let content = &body[headers_end + 4..next.saturating_sub(2).max(headers_end + 4)];
        if headers.contains("name=\"file\"") {
            return Ok(content.to_vec());
        }
        at = next;
    }
    Err(refused("上传内容中没有名为 file 的文件"))
}

/// Checks a roster file (身份证号, 姓名, 手机, 用工类型, 工种, 等级; CSV in UTF-8, UTF-8 with a
/// BOM, or GBK/GB18030, detected; or the first sheet of an XLSX workbook) and, without
/// `dry_run`, writes all its rows or none. Send it
/// as the `file` field of `multipart/form-data`, or as the raw body.
#[utoipa::path(post, path = "/api/unit/roster/import", tag = "unit", params(ImportQuery),
    request_body(content = String, content_type = "multipart/form-data", description = "field `file`: the roster"),
    responses((status = 200, body = RosterReport, description = "every bad row in `errors`; with any, nothing is written"),
        (status = 403, body = ErrorBody, description = "not a unit admin"),
        (status = 401, body = ErrorBody, description = "`unauthenticated`"),
        (status = 413, body = ErrorBody, description = "`file_too_large`: over 5 MB, or a workbook that unpacks to over 100 MB"),
        (status = 415, body = ErrorBody, description = "`unsupported_file_type`: neither CSV nor XLSX (an .xls, a PDF, a damaged workbook)"),
        (status = 422, body = ErrorBody, description = "`invalid_import`: empty, no header, a column missing, over 20,000 rows; without `dry_run`, any bad row (nothing written)")))]
async fn import(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ImportQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<RosterReport>> {
    actor.unit_admin()?;
    let bytes = read_upload(body).await?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let file = if content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        multipart_file(content_type, &bytes)?
    } else {
        bytes
    };
    Ok(Json(roster::import(&state, &actor, file, q.dry_run).await?))
}

/// The unit's staff in the import's columns, as CSV with a BOM (Chinese Excel opens it as
/// UTF-8); importing it again changes nothing.
#[utoipa::path(get, path = "/api/unit/roster.csv", tag = "unit",
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 401, body = ErrorBody, description = "`unauthenticated`"),
        (status = 403, body = ErrorBody, description = "not a unit admin")))]
async fn export_csv(State(state): State<AppState>, actor: Actor) -> Result<impl IntoResponse> {
    let bytes = roster::export_csv(&state, &actor).await?;
    Ok(super::download(
        bytes,
        "text/csv; charset=utf-8",
        "roster.csv",
    ))
}

/// The unit's staff in the import's columns as an XLSX workbook (every cell text, so Excel
/// keeps each 身份证号 whole); importing it again changes nothing. No row limit.
#[utoipa::path(get, path = "/api/unit/roster.xlsx", tag = "unit",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 401, body = ErrorBody, description = "`unauthenticated`"),
        (status = 403, body = ErrorBody, description = "not a unit admin")))]
async fn export_xlsx(State(state): State<AppState>, actor: Actor) -> Result<impl IntoResponse> {
    let bytes = roster::export_xlsx(&state, &actor).await?;
    Ok(super::download(
        bytes,
        spreadsheet::XLSX_TYPE,
        "roster.xlsx",
    ))
}

#[cfg(test)]
mod tests {
    use super::multipart_file;

    #[test]
    fn the_file_part_is_taken_from_a_multipart_body() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n\
            --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\
            Content-Type: text/csv\r\n\r\na,b\r\n1,2\r\n--XyZ--\r\n";
        let file = multipart_file("multipart/form-data; boundary=XyZ", body).unwrap();
        assert_eq!(file, b"a,b\r\n1,2");
        assert!(multipart_file("multipart/form-data; boundary=XyZ", b"--XyZ--\r\n").is_err());
        assert!(multipart_file("multipart/form-data", body).is_err());
    }
}
