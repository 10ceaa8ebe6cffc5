//! `/pay/return?order_id=…`, where the payment platform's cashier sends the browser back.
//!
//! The platform's query parameters (`status=paid`) are not signed and anyone can type them, so
//! the page shows only what the server knows of the order. The server learns it from the
//! platform's notification, which may come after the browser: while the order is pending the
//! page asks again, waiting longer each time, and then says that the result will come (the
//! reconciliation job resolves a notification that never arrives). Built straight into the
//! DOM, as `pages::orders` explains.

use crate::api;
use crate::components::dom::{attr, el, link, text};
use crate::components::load::{load_into, Fill};
use crate::components::title::set_page_title;
use crate::i18n::t;
use crate::pages::orders::{pay_button, pay_clicks};
use crate::session::{use_session, Session};
use leptos::prelude::*;
use leptos::task::spawn_local;
use qinxue_core::api::Order;
use qinxue_core::money::format_yuan;
use qinxue_core::order::{OrderKind, OrderStatus};
use qinxue_core::Role;
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, Node};

/// Seconds between questions while the order is pending: about a minute and a half in all.
const WAITS: [u64; 8] = [1, 2, 3, 5, 8, 13, 20, 30];

/// The page at `/pay/return`.
#[component]
pub fn PayReturnPage() -> impl IntoView {
    let words = t();
    set_page_title(words.pay_result_title);
    let session = use_session();
    let search = window().location().search().unwrap_or_default();
    let id = search
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("order_id="))
        .and_then(|id| id.parse::<i64>().ok());
    let fill: Fill = Rc::new(move |page| {
        Box::pin(async move {
            let Some(id) = id else {
                text(&page, "p", "notice notice-warn", t().no_order);
                return Ok(());
            };
            let order = api::order(id).await?;
            // Only the payer can pay again: the trainee of their own order, or an admin of the
            // unit of a unit order (asked here: after the cashier the session may not be known
            // yet, and the server clears `pay_url` once a payment is cancelled or failed).
            let payer = match order.kind {
                OrderKind::Individual => true,
                OrderKind::Unit => api::me().await.is_ok_and(|me| me.role == Role::UnitAdmin),
            };
            Screen::new(&page, id, session, payer).show(&order, 0);
            Ok(())
        })
    });
    view! {
        <h1>{words.pay_result_title}</h1>
        <div on:click=pay_clicks()>{load_into(fill)}</div>
    }
}

/// The result card: a live region whose text changes in place, so that screen readers
/// announce each new result once, and the details below it.
struct Screen {
    id: i64,
    session: Session,
    payer: bool,
    card: Element,
    title: Element,
    message: Element,
    details: Element,
    /// What the details were last drawn for: (status, waited out).
    drawn: Cell<Option<(OrderStatus, bool)>>,
}

impl Screen {
    fn new(page: &Node, id: i64, session: Session, payer: bool) -> Rc<Self> {
        let card = el(page, "section", "card");
        attr(&card, "data-testid", "pay-result");
        let live = el(&card, "div", "");
        attr(&live, "role", "status");
        attr(&live, "aria-live", "polite");
        attr(&live, "aria-atomic", "true");
        Rc::new(Self {
            id,
            session,
            payer,
            title: el(&live, "h2", ""),
            message: el(&live, "p", ""),
            details: el(&card, "div", ""),
            card,
            drawn: Cell::new(None),
        })
    }

    /// Shows the order after `asked` questions since the last round began, and asks again
    /// later while it is pending.
    fn show(self: &Rc<Self>, order: &Order, asked: usize) {
        let status = order.status;
        let waited_out = status == OrderStatus::Pending && asked >= WAITS.len();
        let (title, message) = summary(order, waited_out);
        set_text(&self.title, title);
        set_text(&self.message, &message);
        attr(&self.card, "data-status", status.as_str());
        if self.drawn.replace(Some((status, waited_out))) != Some((status, waited_out)) {
            self.draw_details(order, waited_out);
        }
        if status == OrderStatus::Pending {
            self.ask_later(asked);
        }
    }

    fn ask_later(self: &Rc<Self>, asked: usize) {
        if let Some(secs) = WAITS.get(asked) {
            let this = self.clone();
            set_timeout(move || this.ask(asked + 1), Duration::from_secs(*secs));
        }
    }

    fn ask(self: Rc<Self>, asked: usize) {
        // The person has left the page: stop asking.
        if !self.card.is_connected() {
            return;
        }
        spawn_local(async move {
            match api::order(self.id).await {
                Ok(order) => self.show(&order, asked),
                // A failed question in the middle of waiting keeps what is shown.
                Err(e) if e.is_transient() => self.ask_later(asked),
                Err(e) => set_text(&self.message, &e.message()),
            }
        });
    }

    fn draw_details(self: &Rc<Self>, order: &Order, waited_out: bool) {
        let words = t();
        let details = &self.details;
        details.set_text_content(None);
        if order.status.is_settled() {
            // The enrolment is active now: every page of the app should say so.
            spawn_local(self.session.reload());
        }
        if let Some(no) = &order.receipt_no {
            let line = text(details, "p", "", &format!("{}：", words.receipt_no));
            attr(&text(&line, "strong", "", no), "data-testid", "receipt-no");
        }
        let amount = (words.order_amount)(&order.order_no, &format_yuan(order.amount_fen));
        text(details, "p", "", &amount);
        let pending = order.status == OrderStatus::Pending;
        if !order.status.is_settled() && self.payer && (waited_out || !pending) {
            let label = if pending {
                words.continue_pay
            } else {
                words.pay_again
            };
            pay_button(details, label, "data-order", order.id);
        }
        let actions = el(details, "p", "actions");
        if waited_out {
            let again = text(&actions, "button", "button", words.check_again);
            attr(&again, "type", "button");
            let this = self.clone();
            let on_click = Closure::once_into_js(move || this.ask(0));
            let _ = again.add_event_listener_with_callback("click", on_click.unchecked_ref());
        }
        if order.kind == OrderKind::Unit {
            let to = link(&actions, "/admin/unit/orders", words.unit_orders);
            attr(&to, "rel", "external");
            to.set_class_name("button");
        } else {
            link(&actions, "/study", words.go_study).set_class_name("button");
            link(&actions, "/orders", words.nav_orders).set_class_name("button");
        }
    }
}

/// Changes an element's text only when it differs, so that the live region is not announced
/// again for the same words.
fn set_text(element: &Element, value: &str) {
    if element.text_content().as_deref() != Some(value) {
        element.set_text_content(Some(value));
    }
}

/// The heading and sentence that say where the order stands.
fn summary(order: &Order, waited_out: bool) -> (&'static str, String) {
    let words = t();
    match order.status {
        OrderStatus::Pending if waited_out => (words.pay_pending, words.pay_still_pending.into()),
        OrderStatus::Pending => (words.pay_pending, words.pay_checking.into()),
        OrderStatus::Paid if order.kind == OrderKind::Unit => {
            (words.pay_success, words.unit_pay_success.into())
        }
        OrderStatus::Paid => (words.pay_success, (words.pay_success_text)(order.year)),
        OrderStatus::RefundDue => (
            words.pay_refund,
            (words.refund_due)(
                &format_yuan(order.refund_fen),
                order.refund_reason.map_or("", |r| r.label()),
            ),
        ),
        OrderStatus::Cancelled => (words.pay_cancelled, words.pay_again_note.into()),
        OrderStatus::Failed => (words.pay_failed, words.pay_again_note.into()),
    }
}
