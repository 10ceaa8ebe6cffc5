//! 报名缴费 at `/enrol`: the year, the fee of the trainee's grade, the deadline, the chosen
//! courses, and 去缴费, which opens (or reopens) the trainee's order and leaves for the payment
//! platform's cashier. Built straight into the DOM, as `pages::orders` explains.

use crate::api;
use crate::components::dom::{attr, el, link, text};
use crate::components::load::{load_into, Fill};
use crate::components::title::set_page_title;
use crate::i18n::t;
use crate::pages::orders::{facts, pay_button, pay_clicks, yuan};
use leptos::prelude::*;
use qinxue_core::api::{Me, Order, YearInfo};
use qinxue_core::order::OrderKind;
use qinxue_core::time::format_local_datetime;
use qinxue_core::Role;
use std::rc::Rc;
use web_sys::Node;

/// The page at `/enrol`.
#[component]
pub fn EnrolPage() -> impl IntoView {
    let words = t();
    set_page_title(words.enrol_title);
    // Asked afresh rather than read from the session: the page must not offer to pay what a
    // payment a minute ago already settled.
    let fill: Fill = Rc::new(|page| {
        Box::pin(async move {
            let me = api::me().await?;
            let words = t();
            match (me.role, &me.year) {
                (Role::Trainee, Some(year)) => {
                    let orders = if year.enrolled || !year.registration_open {
                        Vec::new()
                    } else {
                        api::orders().await?
                    };
                    let progress = api::study_progress().await?;
                    year_card(&page, &me, year, &orders);
                    courses(&page, &progress.courses);
                }
                (Role::Trainee, None) => drop(text(&page, "p", "notice", words.no_year)),
                _ => {
                    let note = text(&page, "p", "notice", words.enrol_by_unit);
                    attr(&link(&note, "/admin/", words.to_admin), "rel", "external");
                }
            }
            Ok(())
        })
    });
    view! {
        <h1>{words.enrol_title}</h1>
        <div on:click=pay_clicks()>{load_into(fill)}</div>
    }
}

/// The year's facts, then what can be done: nothing more once paid or after the deadline, else
/// pay, continuing the trainee's open order if there is one.
fn year_card(page: &Node, me: &Me, year: &YearInfo, orders: &[Order]) {
    let words = t();
    let card = el(page, "section", "card");
    text(&card, "h2", "", &(words.year_title)(year.year));
    let mut deadline = format_local_datetime(year.registration_deadline);
    if !year.registration_open {
        deadline.push_str(words.closed);
    }
    let grade = me.grade.map(|g| g.label()).unwrap_or_default();
    facts(
        &card,
        &[
            (words.enrol_year, year.year.to_string()),
            (words.your_grade, grade.to_owned()),
            (words.fee, yuan(year.fee_fen.unwrap_or_default())),
            (words.registration_deadline, deadline),
        ],
    );
    if year.enrolled {
        let done = text(&card, "p", "notice notice-ok", &(words.enrolled)(year.year));
        attr(&done, "data-testid", "enrolled");
        let actions = el(&card, "p", "actions");
        link(&actions, "/study", words.go_study).set_class_name("button button-primary");
        link(&actions, "/orders", words.nav_orders).set_class_name("button");
        return;
    }
    if !year.registration_open {
        text(&card, "p", "notice notice-warn", words.enrol_closed);
        return;
    }
    let open = |kind| {
        orders
            .iter()
            .find(|o| o.year == year.year && o.kind == kind && !o.status.is_settled())
    };
    let own = open(OrderKind::Individual);
    if let Some(order) = own {
        let yuan = qinxue_core::money::format_yuan(order.amount_fen);
        let note = (words.pending_order)(&order.order_no, &yuan);
        attr(
            &text(&card, "p", "notice", &note),
            "data-testid",
            "pending-order",
        );
    }
    // Paying twice means a refund later, so the unit's order is mentioned.
    if open(OrderKind::Unit).is_some() {
        text(&card, "p", "notice notice-warn", words.unit_order_pending);
    }
    text(&card, "p", "", words.pay_note);
    let label = if own.is_some() {
        words.continue_pay
    } else {
        words.go_pay
    };
    pay_button(&card, label, "data-year", i64::from(year.year));
}

/// The courses of the trainee's plan, and where to choose them.
fn courses(page: &Node, courses: &[qinxue_core::api::CourseProgress]) {
    let words = t();
    let card = el(page, "section", "card");
    text(&card, "h2", "", words.my_courses);
    if courses.is_empty() {
        text(&card, "p", "", words.enrol_no_courses);
    } else {
        let list = el(&card, "ul", "");
        for course in courses {
            let line = format!("{} · {}", course.title, (words.hours_value)(course.hours));
            text(&list, "li", "", &line);
        }
        let hours = courses.iter().map(|c| c.hours).sum();
        text(
            &card,
            "p",
            "",
            &(words.enrol_courses_total)(courses.len(), hours),
        );
    }
    link(&el(&card, "p", ""), "/courses", words.choose_courses).set_class_name("touch-link");
}
