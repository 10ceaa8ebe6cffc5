//! The course's own fields: title, category, trades, 学时 and description. Checked with the
//! same rules as the server's (`qinxue_core::admin`) before anything is sent.

use crate::admin::courses_api as api;
use crate::admin::courses_text as text;
use crate::admin::form::{
    error_for, focus_first_error, refusal, Checks, Choice, NumberField, Outcome, TextArea,
};
use crate::components::field::TextField;
use leptos::prelude::*;
use leptos::task::spawn_local;
use qinxue_core::account::TRADES;
use qinxue_core::admin::{AdminCourse, CourseInput};
use qinxue_core::api::FieldError;
use qinxue_core::catalogue::CourseCategory;
use qinxue_core::ErrorCode;

/// The form's fields in order: API name and the control's id.
const FIELDS: [(&str, &str); 5] = [
    ("title", "title"),
    ("category", "category-public"),
    ("trades", "trades-0"),
    ("hours", "hours"),
    ("description", "description"),
];

/// Creates a course (`course` is `None`) or edits one; `on_saved` gets the course as saved.
#[component]
pub fn CourseForm(course: Option<AdminCourse>, on_saved: Callback<AdminCourse>) -> impl IntoView {
    let id = course.as_ref().map(|c| c.id);
    let title = RwSignal::new(course.as_ref().map(|c| c.title.clone()).unwrap_or_default());
    let category = RwSignal::new(
        course
            .as_ref()
            .map_or(CourseCategory::Trade, |c| c.category)
            .as_str()
            .to_owned(),
    );
    let trades = RwSignal::new(
        course
            .as_ref()
            .map(|c| c.trades.clone())
            .unwrap_or_default(),
    );
    let hours = RwSignal::new(
        course
            .as_ref()
            .map(|c| c.hours.to_string())
            .unwrap_or_default(),
    );
    let description = RwSignal::new(
        course
            .as_ref()
            .map(|c| c.description.clone())
            .unwrap_or_default(),
    );
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let is_trade = category.get_untracked() == "trade";
        let input = CourseInput {
            title: title.get_untracked(),
            category: if is_trade {
                CourseCategory::Trade
            } else {
                CourseCategory::Public
            },
            trades: if is_trade {
                trades.get_untracked()
            } else {
                vec![]
            },
            hours: hours.get_untracked().trim().parse().unwrap_or(0),
            description: description.get_untracked(),
        };
        if let Err(found) = input.validate() {
            focus_first_error(&found, &FIELDS);
            errors.set(found);
            outcome.set(Some(Err(ErrorCode::ValidationFailed
                .default_message()
                .to_owned())));
            return;
        }
        errors.set(vec![]);
        busy.set(true);
        outcome.set(Some(Ok(text::SAVING.into())));
        spawn_local(async move {
            let saved = match id {
                Some(id) => api::update_course(id, &input).await,
                None => api::create_course(&input).await,
            };
            busy.set(false);
            match saved {
                Ok(course) => {
                    outcome.set(Some(Ok(text::SAVED.into())));
                    on_saved.run(course);
                }
                Err(e) => {
                    let (fields, message) = refusal(&e);
                    focus_first_error(&fields, &FIELDS);
                    errors.set(fields);
                    outcome.set(Some(Err(message)));
                }
            }
        });
    };
    let trade_options: Vec<String> = TRADES.iter().map(|t| (*t).to_owned()).collect();
    view! {
        <form class="form-card admin-form" on:submit=submit novalidate>
            <TextField name="title" label=text::FIELD_TITLE value=title error=error_for(errors, "title") />
            <Choice
                name="category"
                label=text::FIELD_CATEGORY
                options=vec![("public", text::CATEGORY_PUBLIC), ("trade", text::CATEGORY_TRADE)]
                value=category
            />
            <div hidden=move || category.get() != "trade">
                <Checks
                    name="trades"
                    label=text::FIELD_TRADES
                    hint=text::TRADES_HINT
                    options=trade_options
                    chosen=trades
                    error=error_for(errors, "trades")
                />
            </div>
            <NumberField
                name="hours"
                label=text::FIELD_HOURS
                hint=text::HOURS_HINT
                value=hours
                error=error_for(errors, "hours")
            />
            <TextArea
                name="description"
                label=text::FIELD_DESCRIPTION
                hint=text::DESCRIPTION_HINT
                value=description
                error=error_for(errors, "description")
                rows=3
            />
            <Outcome outcome />
            <div class="form-footer">
                <button type="submit" class="button button-primary" disabled=move || busy.get()>
                    {if id.is_some() { text::SAVE } else { text::CREATE }}
                </button>
            </div>
        </form>
    }
}
