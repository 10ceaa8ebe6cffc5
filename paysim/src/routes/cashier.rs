//! The cashier (收银台) the payer's browser is sent to: one plain HTML page per payment with
//! three form buttons, usable by touch and without JavaScript. Each button posts to
//! `/cashier/{payment_id}/pay|cancel|fail`, which settles the payment and sends the browser
//! back to the merchant's `return_url` with a `303 See Other`.

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{yuan, Action, Payment, Status};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use reqwest::Url;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cashier/{payment_id}", get(page))
        .route("/cashier/{payment_id}/{action}", post(act))
}

async fn page(State(state): State<AppState>, Path(payment_id): Path<String>) -> Response {
    match state.store.get(&payment_id) {
        // The page changes when the payment settles; a cached copy would offer stale buttons.
        Some(payment) => (
            [(header::CACHE_CONTROL, "no-store")],
            Html(render(&payment)),
        )
            .into_response(),
        None => not_found(),
    }
}

async fn act(
    State(state): State<AppState>,
    Path((payment_id, action)): Path<(String, String)>,
) -> Response {
    let Some(action) = Action::from_segment(&action) else {
        return not_found();
    };
    let payment = match state.store.finish(&payment_id, action, chrono::Utc::now()) {
        Ok(finished) => {
            if finished.changed {
                state.notify(&finished.payment);
            }
            finished.payment
        }
        // A second tab or a double tap on a settled payment: go back with the real outcome.
        Err(ApiError::PaymentFinal(_)) => match state.store.get(&payment_id) {
            Some(p) => p,
            None => return not_found(),
        },
        Err(_) => return not_found(),
    };
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, return_link(&payment).to_string())],
    )
        .into_response()
}

/// The merchant's `return_url` with `merchant_order_id`, `payment_id` and `status` added to
/// whatever query it already has. The merchant must not trust these: anyone can type them.
pub fn return_link(payment: &Payment) -> Url {
    let mut url = payment.return_url.clone();
    url.query_pairs_mut()
        .append_pair("merchant_order_id", &payment.merchant_order_id)
        .append_pair("payment_id", &payment.id)
        .append_pair("status", payment.status.as_str());
    url
}

fn not_found() -> Response {
    let body = layout(
        "未找到缴费",
        r#"<section class="card"><h2>未找到这笔缴费</h2>
<p>链接可能有误，或模拟器已重新启动（模拟器不保存数据）。请回到勤学重新发起缴费。</p></section>"#,
    );
    (StatusCode::NOT_FOUND, Html(body)).into_response()
}

fn render(p: &Payment) -> String {
    let bill = format!(
        r#"<section class="card">
<p class="label">缴费项目</p>
<p class="subject">{subject}</p>
<p class="amount"><span class="currency">¥</span>{amount}<span class="unit">元</span></p>
<dl>
<dt>商户订单号</dt><dd>{order}</dd>
<dt>缴费单号</dt><dd>{id}</dd>
</dl>
</section>"#,
        subject = escape(&p.subject),
        amount = yuan(p.amount_fen),
        order = escape(&p.merchant_order_id),
        id = escape(&p.id),
    );
    let action = match p.status {
        Status::Pending => {
            let form = |action: &str, class: &str, label: &str| {
                format!(
                    r#"<form method="post" action="/cashier/{id}/{action}"><button type="submit" class="{class}">{label}</button></form>"#,
                    id = escape(&p.id),
                )
            };
            format!(
                "<section class=\"actions\">\n{}\n{}\n{}\n</section>",
                form("pay", "primary", "确认支付"),
                form("cancel", "secondary", "取消"),
                form("fail", "danger", "模拟支付失败"),
            )
        }
        status => {
            let (class, text) = match status {
                Status::Paid => ("ok", "已支付"),
                Status::Cancelled => ("muted", "已取消"),
                _ => ("bad", "支付失败"),
            };
            let receipt = match (&p.receipt_no, p.paid_at) {
                (Some(no), Some(at)) => format!(
                    "<p>电子票据号：<strong>{}</strong></p><p>支付时间：{}</p>",
                    escape(no),
                    at.with_timezone(
                        &chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset")
                    )
                    .format("%Y-%m-%d %H:%M:%S")
                ),
                _ => String::new(),
            };
            format!(
                r#"<section class="card result {class}"><h2>{text}</h2>{receipt}</section>
<section class="actions"><a class="button primary" href="{back}">返回商户</a></section>"#,
                back = escape(return_link(p).as_str()),
            )
        }
    };
    layout("收银台", &format!("{bill}\n{action}"))
}

fn layout(title: &str, main: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title} · E缴通 公共缴费平台（模拟）</title>
<style>{STYLE}</style>
</head>
<body>
<header><h1>E缴通 公共缴费平台（模拟）</h1>
<p class="note">测试用模拟器：不会产生真实扣款。</p></header>
<main>
{main}
</main>
</body>
</html>
"#
    )
}

/// Large type and full-width buttons at least 48 px high, for a phone held in one hand.
const STYLE: &str = "
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;
background:#f2f4f7;color:#1d2129;line-height:1.5}
header{background:#c7000b;color:#fff;padding:16px 20px}
header h1{margin:0;font-size:1.25rem}
.note{margin:4px 0 0;font-size:.875rem;opacity:.9}
main{max-width:480px;margin:0 auto;padding:16px}
.card{background:#fff;border-radius:12px;padding:20px;margin-bottom:16px}
.label{margin:0;color:#4e5969;font-size:.875rem}
.subject{margin:4px 0 12px;font-size:1.125rem;font-weight:600}
.amount{margin:0 0 12px;font-size:2.25rem;font-weight:700;color:#c7000b}
.currency{font-size:1.25rem;margin-right:4px}.unit{font-size:1rem;margin-left:6px;color:#4e5969}
dl{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;margin:0;font-size:.875rem;color:#4e5969}
dd{margin:0;word-break:break-all}
.actions form{margin:0 0 12px}
button,.button{display:block;width:100%;min-height:52px;border-radius:10px;border:0;
font-size:1.125rem;font-weight:600;cursor:pointer;text-align:center;text-decoration:none;
line-height:52px;padding:0 16px}
.primary{background:#c7000b;color:#fff}
.secondary{background:#fff;color:#1d2129;border:1px solid #c9cdd4}
.danger{background:#fff;color:#4e5969;border:1px dashed #86909c;font-size:1rem}
button:focus-visible,.button:focus-visible{outline:3px solid #165dff;outline-offset:2px}
.result h2{margin:0 0 8px}.ok h2{color:#00a870}.bad h2{color:#c7000b}.muted h2{color:#4e5969}
";

/// Escapes text for HTML content and double-quoted attributes.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payment(status: Status) -> Payment {
        Payment {
            id: "EP1".into(),
            merchant_order_id: "Q-1".into(),
            amount_fen: 12600,
            subject: "报名费 <script>".into(),
            notify_url: Url::parse("http://m.example/notify").unwrap(),
            return_url: Url::parse("http://m.example/back?from=pay").unwrap(),
            status,
            receipt_no: None,
            paid_at: None,
            created_at: chrono::Utc::now(),
            notify_id: None,
        }
    }

    #[test]
    fn a_pending_page_shows_the_bill_and_three_buttons_and_escapes_the_subject() {
        let html = render(&payment(Status::Pending));
        assert!(html.contains("126.00") && html.contains("报名费 &lt;script&gt;"));
        assert!(!html.contains("<script>"));
        for (action, label) in [
            ("pay", "确认支付"),
            ("cancel", "取消"),
            ("fail", "模拟支付失败"),
        ] {
            assert!(html.contains(&format!("action=\"/cashier/EP1/{action}\"")));
            assert!(html.contains(label));
        }
    }

    #[test]
    fn a_settled_page_has_no_buttons_but_a_way_back() {
        let html = render(&payment(Status::Cancelled));
        assert!(html.contains("已取消") && !html.contains("<form"));
        assert!(html.contains("http://m.example/back?from=pay&amp;merchant_order_id=Q-1"));
    }

    #[test]
    fn the_return_link_keeps_the_merchants_query() {
        let link = return_link(&payment(Status::Paid));
        assert_eq!(
            link.as_str(),
            "http://m.example/back?from=pay&merchant_order_id=Q-1&payment_id=EP1&status=paid"
        );
    }
}
