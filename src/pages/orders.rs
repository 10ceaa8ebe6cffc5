//! 我的订单 at `/orders`, and what every payment page shares: an order as a card, and the pay
//! buttons that open a payment and send the browser to the payment platform's cashier.
//!
//! Built straight into the DOM like the study pages (see `components::dom`): typed views of
//! these pages cost the first visit several times more download.

use crate::api::{self, ApiError};
use crate::components::dom::{attr, el, text};
use crate::components::load::{load_into, Fill};
use crate::components::title::set_page_title;
use crate::i18n::t;
use crate::session::{use_session, Session};
use leptos::ev::MouseEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use qinxue_core::api::{CreateOrder, Order};
use qinxue_core::money::format_yuan;
use qinxue_core::order::OrderKind;
use qinxue_core::time::format_local_datetime;
use qinxue_core::ErrorCode;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, Node};

/// The page at `/orders`: the trainee's orders, newest first.
#[component]
pub fn OrdersPage() -> impl IntoView {
    let words = t();
    set_page_title(words.orders_title);
    let fill: Fill = Rc::new(|page| {
        Box::pin(async move {
            let orders = api::orders().await?;
            if orders.is_empty() {
                text(&page, "p", "notice", t().orders_empty);
            }
            for order in &orders {
                order_card(&page, order, false);
            }
            Ok(())
        })
    });
    view! {
        <h1>{words.orders_title}</h1>
        <div on:click=pay_clicks()>{load_into(fill)}</div>
    }
}

/// One order: what it is for, its money and status, its receipt once paid, the people a unit
/// order pays for, and 继续缴费 while it is open and the viewer is its payer: the trainee of
/// their own order, or `unit_payer`, the unit admin looking at their unit's orders.
pub fn order_card(parent: &Node, order: &Order, unit_payer: bool) {
    let words = t();
    let card = el(parent, "article", "card order");
    attr(&card, "data-testid", "order");
    attr(&card, "data-status", order.status.as_str());
    let heading = text(
        &card,
        "h2",
        "",
        &(words.order_heading)(order.year, order.kind.label()),
    );
    let status = order.status.as_str();
    text(
        &heading,
        "span",
        &format!("badge badge-{status}"),
        order.status.label(),
    );
    let mut rows = vec![
        (words.order_no, order.order_no.clone()),
        (words.amount, yuan(order.amount_fen)),
        (words.created_at, format_local_datetime(order.created_at)),
    ];
    rows.extend(
        order
            .unit_name
            .clone()
            .map(|unit| (words.paying_unit, unit)),
    );
    rows.extend(order.receipt_no.clone().map(|no| (words.receipt_no, no)));
    rows.extend(
        order
            .paid_at
            .map(|at| (words.paid_at, format_local_datetime(at))),
    );
    facts(&card, &rows);
    if let Some(reason) = order.refund_reason {
        let refund = (words.refund_due)(&format_yuan(order.refund_fen), reason.label());
        text(&card, "p", "notice notice-warn", &refund);
    }
    // A trainee's own order is about themself; the people matter in a unit's order.
    if order.kind == OrderKind::Unit {
        let people = el(&card, "ul", "order-people");
        for item in &order.items {
            let line = format!(
                "{}（{}）{} · {}",
                item.name,
                item.id_number,
                item.grade.label(),
                yuan(item.fee_fen)
            );
            text(&people, "li", "", &line);
        }
    }
    // Not by `pay_url`: there is none when the platform was down as the order was made, nor
    // after a cancelled or failed payment, and the order is still the payer's to pay.
    let payer = unit_payer || order.kind == OrderKind::Individual;
    if !order.status.is_settled() && payer {
        pay_button(&card, words.continue_pay, "data-order", order.id);
    }
}

/// `label: value` lines.
pub fn facts(parent: &Node, rows: &[(&str, String)]) {
    let list = el(parent, "dl", "facts");
    for (label, value) in rows {
        let row = el(&list, "div", "");
        text(&row, "dt", "", label);
        text(&row, "dd", "", value);
    }
}

/// `126.00 元`.
pub fn yuan(fen: i64) -> String {
    (t().yuan_value)(&format_yuan(fen))
}

/// A pay button with the place for the server's refusal above it; `key` is `data-order` (an
/// open order, `value` its id) or `data-year` (the trainee's order of that year, made or
/// reused by the server). A page handles the clicks with [`pay_clicks`].
pub fn pay_button(parent: &Node, label: &str, key: &str, value: i64) -> Element {
    let wrap = el(parent, "div", "pay");
    attr(&text(&wrap, "p", "form-alert", ""), "role", "alert");
    let actions = el(&wrap, "p", "actions");
    let button = text(&actions, "button", "button button-primary", label);
    attr(&button, "type", "button");
    attr(&button, key, &value.to_string());
    button
}

/// The click handler of a page with pay buttons: opens the payment and leaves for the
/// cashier, which is another site, so a full page load. The server's refusal is shown above
/// the button; when it says the money is already in, the session is asked again so that every
/// page shows the enrolment.
pub fn pay_clicks() -> impl Fn(MouseEvent) + 'static {
    let session = use_session();
    move |event| pay_clicked(event, session)
}

fn pay_clicked(event: MouseEvent, session: Session) {
    let Some(button) = event
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .filter(|b| b.has_attribute("data-order") || b.has_attribute("data-year"))
    else {
        return;
    };
    let number = |key| button.get_attribute(key).and_then(|v| v.parse().ok());
    let (order, year) = (number("data-order"), number("data-year"));
    let label = button.text_content().unwrap_or_default();
    attr(&button, "disabled", "");
    button.set_text_content(Some(t().going_to_pay));
    spawn_local(async move {
        let created = match (order, year) {
            (Some(id), _) => api::pay_order(id).await,
            (None, year) => {
                let year = year.and_then(|y| i32::try_from(y).ok()).unwrap_or_default();
                let request = CreateOrder {
                    year,
                    trainee_ids: None,
                };
                api::create_order(&request).await
            }
        };
        // The button stays disabled on success: the browser is on its way to the cashier.
        let error = match created {
            Ok(created) => return drop(window().location().assign(&created.pay_url)),
            Err(error) => error,
        };
        let _ = button.remove_attribute("disabled");
        button.set_text_content(Some(&label));
        if let Some(alert) = button
            .closest(".pay")
            .ok()
            .flatten()
            .and_then(|w| w.first_element_child())
        {
            alert.set_text_content(Some(&error.message()));
        }
        if settled(&error) {
            session.reload().await;
        }
    });
}

/// The server says the money for this is already in.
fn settled(error: &ApiError) -> bool {
    matches!(
        error.code(),
        Some(ErrorCode::AlreadyPaid | ErrorCode::OrderSettled)
    )
}
