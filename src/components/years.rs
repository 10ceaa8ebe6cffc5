//! The trainee's years on the home page: a progress ring per year with its 学时 by source,
//! what an unfinished year still misses, and the certificate of a completed one. The figures
//! are the server's (`GET /api/me/years`, settled by `qinxue_core::completion`).

use crate::api;
use crate::clock::now;
use crate::components::dom::{attr, el, link, text};
use crate::components::load::{load_into, Fill};
use crate::i18n::t;
use leptos::prelude::*;
use qinxue_core::api::TrainingYear;
use qinxue_core::catalogue::format_hours;
use qinxue_core::completion::{secs_per_hour, Source};
use qinxue_core::reminder::Reminder;
use qinxue_core::time::format_local_date;
use std::rc::Rc;
use web_sys::Node;

/// The section, loaded when the home page opens.
pub fn years_section() -> impl IntoView {
    let fill: Fill = Rc::new(|page| {
        Box::pin(async move {
            let years = api::my_years().await?;
            // Reminders are a courtesy: the years show what matters without them.
            if let Ok(reminders) = api::my_reminders().await {
                reminders_content(&page, &reminders);
            }
            years_content(&page, &years);
            Ok(())
        })
    });
    load_into(fill)
}

/// The reminders the server sent before this year's deadlines (the same texts go by SMS).
fn reminders_content(page: &Node, reminders: &[Reminder]) {
    if reminders.is_empty() {
        return;
    }
    let section = el(page, "section", "card reminders");
    attr(&section, "aria-labelledby", "reminders-title");
    text(&section, "h2", "", t().reminders_title).set_id("reminders-title");
    let list = el(&section, "ul", "");
    for r in reminders {
        let item = text(&list, "li", "notice notice-warn", &r.message);
        attr(&item, "data-testid", "reminder");
        attr(&item, "data-kind", r.kind.as_str());
    }
}

fn years_content(page: &Node, years: &[TrainingYear]) {
    let words = t();
    let section = el(page, "section", "card years");
    attr(&section, "aria-labelledby", "years-title");
    text(&section, "h2", "", words.years_title).set_id("years-title");
    let open_paid = years.iter().filter(|y| y.enrolled && !y.completed).count();
    if open_paid > 1 {
        text(&section, "p", "notice", words.earliest_first);
    }
    let list = el(&section, "ul", "years-list");
    // The newest first: this year is what most people come for.
    for y in years.iter().rev() {
        year_item(&list, y);
    }
}

/// Sets the ring's `--p` through the CSSOM: the Content-Security-Policy refuses `style`
/// attributes (`style-src 'self'`), not style changes made by the page's own script.
fn set_share(ring: &web_sys::Element, percent: i64) {
    use wasm_bindgen::{JsCast, JsValue};
    use web_sys::js_sys::{Function, Reflect};
    let Ok(style) = Reflect::get(ring, &JsValue::from_str("style")) else {
        return;
    };
    if let Some(set) = Reflect::get(&style, &JsValue::from_str("setProperty"))
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
    {
        let _ = set.call2(
            &style,
            &JsValue::from_str("--p"),
            &JsValue::from_str(&percent.to_string()),
        );
    }
}

fn year_item(list: &Node, y: &TrainingYear) {
    let words = t();
    let mph = y.minutes_per_hour;
    let required = i64::from(y.required_hours) * secs_per_hour(mph);
    let percent = match (y.completed, required) {
        (true, _) => 100,
        (false, 0) => 0,
        (false, r) => (y.credited_total_secs * 100 / r).clamp(0, 99),
    };
    let item = el(list, "li", if y.completed { "year done" } else { "year" });
    attr(&item, "data-year", &y.year.to_string());
    let ring = el(&item, "div", "ring");
    attr(&ring, "role", "img");
    attr(&ring, "aria-label", &(words.ring_label)(percent));
    set_share(&ring, percent);
    text(&ring, "span", "", &format!("{percent}%"));
    let body = el(&item, "div", "year-body");
    text(&body, "h3", "", &(words.year_label)(y.year));
    let hours = text(
        &body,
        "p",
        "year-hours",
        &(words.hours_done)(&format_hours(y.credited_total_secs, mph), y.required_hours),
    );
    attr(&hours, "data-testid", &format!("year-hours-{}", y.year));
    let sources = el(&body, "dl", "sources");
    for source in Source::ALL {
        let secs = y.credited_secs.get(source);
        // Online study is every trainee's; the other sources only where they gave time.
        if secs == 0 && source != Source::Online {
            continue;
        }
        let row = el(&sources, "div", "");
        text(&row, "dt", "", source.label());
        text(&row, "dd", "", &format!("{} 学时", format_hours(secs, mph)));
    }
    let status = el(&body, "p", "year-status");
    attr(&status, "data-testid", &format!("year-status-{}", y.year));
    match (y.completed, y.enrolled, y.completed_at) {
        (true, _, at) => {
            let date = at.map(format_local_date).unwrap_or_default();
            status.set_text_content(Some(&format!("{} ", (words.year_completed_on)(&date))));
            // Another bundle (`certificates.html`): a page load, not a route of this app.
            let a = link(
                &status,
                &format!("/certificates/{}", y.year),
                words.certificate_link,
            );
            attr(&a, "rel", "external");
        }
        (false, false, _) if y.payable => {
            status.set_text_content(Some(&format!("{} ", words.year_unpaid)));
            link(&status, "/enrol", t().go_enrol);
        }
        (false, false, _) => status.set_text_content(Some(words.year_unpaid_closed)),
        (false, true, _) => {
            let missing = format_hours(y.missing_secs, mph);
            let mut shown = (words.year_missing)(&missing);
            let overdue = now() > y.study_deadline;
            if overdue {
                shown.push(' ');
                shown.push_str(words.year_overdue);
            }
            status.set_text_content(Some(&format!("{shown} ")));
            // It may be studied for whether or not this year is paid for (policy section 七).
            if overdue {
                link(&status, "/study", words.go_study);
            }
        }
    }
}
