//! Importing a course's questions from a CSV file: the layout explained with an example, and
//! after a refused file every bad row with its line number and what is wrong with it.

use crate::admin::courses_api::{self as api, picked_file};
use crate::admin::courses_text as text;
use crate::admin::form::Outcome;
use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;
use qinxue_core::admin::AdminCourse;
use qinxue_core::api::RowError;

#[component]
pub fn CsvImport(course: RwSignal<Option<AdminCourse>>) -> impl IntoView {
    let input = NodeRef::<Input>::new();
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let rows = RwSignal::new(Vec::<RowError>::new());
    let busy = RwSignal::new(false);
    let import = move |_| {
        let Some(element) = input.get() else {
            return;
        };
        let Some(file) = picked_file(&element) else {
            outcome.set(Some(Err(text::NO_FILE.into())));
            return;
        };
        let Some(id) = course.with_untracked(|c| c.as_ref().map(|c| c.id)) else {
            return;
        };
        busy.set(true);
        rows.set(vec![]);
        outcome.set(Some(Ok(text::IMPORTING.into())));
        spawn_local(async move {
            let result = api::import_questions(id, &file).await;
            busy.set(false);
            match result {
                Ok(report) => {
                    element.set_value("");
                    outcome.set(Some(Ok(text::imported(report.imported))));
                    course.set(Some(report.course));
                }
                Err(e) => {
                    if let crate::api::ApiError::Refused(detail) = &e {
                        rows.set(detail.rows.clone());
                    }
                    outcome.set(Some(Err(e.message())));
                }
            }
        });
    };
    let table = move || {
        let bad = rows.get();
        (!bad.is_empty()).then(|| {
            let lines = bad
                .into_iter()
                .map(|r| {
                    view! {
                        <tr>
                            <th scope="row">{text::line(r.line)}</th>
                            <td>{r.message}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="table-wrap">
                    <table class="admin-table" data-testid="import-errors">
                        <caption>{text::ROW_ERRORS_CAPTION}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{text::COL_LINE}</th>
                                <th scope="col">{text::COL_PROBLEM}</th>
                            </tr>
                        </thead>
                        <tbody>{lines}</tbody>
                    </table>
                </div>
            }
        })
    };
    view! {
        <section class="card" aria-labelledby="import-title">
            <h2 id="import-title">{text::IMPORT_TITLE}</h2>
            <p>{text::IMPORT_HELP}</p>
            <pre
                class="csv-example"
                tabindex="0"
                role="region"
                aria-label=text::IMPORT_EXAMPLE_LABEL
            >
                {text::IMPORT_COLUMNS}
                "\n"
                {text::IMPORT_EXAMPLE}
            </pre>
            <p>{text::IMPORT_RULES}</p>
            <div class="field upload">
                <label for="csv-file">{text::CHOOSE_FILE}</label>
                <input id="csv-file" type="file" accept=".csv,text/csv" node_ref=input />
                <button type="button" class="button" disabled=move || busy.get() on:click=import>
                    {text::IMPORT}
                </button>
            </div>
            <Outcome outcome />
            {table}
        </section>
    }
}
