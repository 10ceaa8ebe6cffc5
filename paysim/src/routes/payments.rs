//! The merchant API, server to server and signed both ways: create a payment
//! (`POST /api/payments`) and query one (`GET /api/payments/{payment_id}` or
//! `GET /api/payments?merchant_order_id=…`).

use crate::error::{ApiError, Result};
use crate::extract::{SignedJson, SignedQuery};
use crate::routes::signed;
use crate::state::AppState;
use crate::store::{rfc3339, Created, NewPayment, Payment, Status};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use reqwest::Url;
use serde::{Deserialize, Serialize};

/// The largest payment accepted: 1 亿元, far above any bulk order of a unit.
pub const MAX_AMOUNT_FEN: i64 = 10_000_000_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/payments", post(create).get(query_by_order))
        .route("/api/payments/{payment_id}", get(query_by_id))
}

/// `POST /api/payments`. Unknown fields are refused so that a misspelt field is found at once.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRequest {
    /// The merchant's order number: 1 to 64 letters, digits, `-` or `_`.
    pub merchant_order_id: String,
    /// 1 fen to [`MAX_AMOUNT_FEN`].
    pub amount_fen: i64,
    /// Shown on the cashier page: 1 to 128 characters.
    pub subject: String,
    /// Where notifications are posted: an absolute http(s) URL.
    pub notify_url: String,
    /// Where the browser goes back after the cashier: an absolute http(s) URL.
    pub return_url: String,
    pub timestamp: String,
    pub nonce: String,
    pub sign: String,
}

/// The answer to a create request (201 for a new payment, 200 for the existing one).
#[derive(Debug, Serialize)]
pub struct CreateAnswer<'a> {
    pub payment_id: &'a str,
    pub merchant_order_id: &'a str,
    pub amount_fen: i64,
    pub status: Status,
    /// Where to send the payer's browser.
    pub cashier_url: String,
}

/// A payment as queries and test controls show it.
#[derive(Debug, Serialize)]
pub struct PaymentView<'a> {
    pub payment_id: &'a str,
    pub merchant_order_id: &'a str,
    pub amount_fen: i64,
    pub status: Status,
    pub receipt_no: Option<&'a str>,
    pub paid_at: Option<String>,
}

impl<'a> From<&'a Payment> for PaymentView<'a> {
    fn from(p: &'a Payment) -> Self {
        PaymentView {
            payment_id: &p.id,
            merchant_order_id: &p.merchant_order_id,
            amount_fen: p.amount_fen,
            status: p.status,
            receipt_no: p.receipt_no.as_deref(),
            paid_at: p.paid_at.map(rfc3339),
        }
    }
}

/// `GET /api/payments/{payment_id}?timestamp&nonce&sign`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryById {
    pub payment_id: String,
    pub timestamp: String,
    pub nonce: String,
    pub sign: String,
}

/// `GET /api/payments?merchant_order_id&timestamp&nonce&sign`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryByOrder {
    pub merchant_order_id: String,
    pub timestamp: String,
    pub nonce: String,
    pub sign: String,
}

async fn create(
    State(state): State<AppState>,
    SignedJson(request): SignedJson<CreateRequest>,
) -> Result<Response> {
    let new = validate(request)?;
    let (status, payment) = match state.store.create(new, chrono::Utc::now())? {
        Created::New(p) => (StatusCode::CREATED, p),
        Created::Existing(p) => (StatusCode::OK, p),
    };
    if status == StatusCode::CREATED {
        tracing::info!(payment_id = %payment.id, merchant_order_id = %payment.merchant_order_id, "payment created");
    }
    let answer = CreateAnswer {
        payment_id: &payment.id,
        merchant_order_id: &payment.merchant_order_id,
        amount_fen: payment.amount_fen,
        status: payment.status,
        cashier_url: state.cashier_url(&payment.id),
    };
    signed(&state, status, &answer)
}

async fn query_by_id(
    State(state): State<AppState>,
    SignedQuery(query): SignedQuery<QueryById>,
) -> Result<Response> {
    let payment = state
        .store
        .get(&query.payment_id)
        .ok_or(ApiError::PaymentNotFound)?;
    signed(&state, StatusCode::OK, &PaymentView::from(&payment))
}

async fn query_by_order(
    State(state): State<AppState>,
    SignedQuery(query): SignedQuery<QueryByOrder>,
) -> Result<Response> {
    let payment = state
        .store
        .by_merchant_order(&query.merchant_order_id)
        .ok_or(ApiError::PaymentNotFound)?;
    signed(&state, StatusCode::OK, &PaymentView::from(&payment))
}

/// The rules of PROTOCOL.md on each field of a create request.
fn validate(r: CreateRequest) -> Result<NewPayment> {
    let id_ok = (1..=64).contains(&r.merchant_order_id.len())
        && r.merchant_order_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !id_ok {
        return Err(ApiError::field(
            "merchant_order_id",
            "须为 1 到 64 个字母、数字、- 或 _",
        ));
    }
    if !(1..=MAX_AMOUNT_FEN).contains(&r.amount_fen) {
        return Err(ApiError::field(
            "amount_fen",
            format!("须为 1 到 {MAX_AMOUNT_FEN} 之间的整数（分）"),
        ));
    }
    let subject = r.subject.trim();
    let subject_chars = subject.chars().count();
    if subject_chars == 0 || subject_chars > 128 || subject.chars().any(char::is_control) {
        return Err(ApiError::field(
            "subject",
            "须为 1 到 128 个字符，不含控制字符",
        ));
    }
    Ok(NewPayment {
        merchant_order_id: r.merchant_order_id,
        amount_fen: r.amount_fen,
        subject: subject.to_owned(),
        notify_url: http_url("notify_url", &r.notify_url)?,
        return_url: http_url("return_url", &r.return_url)?,
    })
}

fn http_url(field: &'static str, raw: &str) -> Result<Url> {
    Url::parse(raw)
        .ok()
        .filter(|u| {
            raw.len() <= 2048 && matches!(u.scheme(), "http" | "https") && u.host().is_some()
        })
        .ok_or_else(|| ApiError::field(field, "须为 http:// 或 https:// 开头的完整地址"))
}
