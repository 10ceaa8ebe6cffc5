//! What the lesson and question sections of the course editor share: which form is open, how
//! a change of the course is applied, and the buttons under each item.

use crate::admin::courses_text as text;
use crate::admin::form::focus_soon;
use crate::api::ApiError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use qinxue_core::admin::AdminCourse;
use std::future::Future;

/// What is open in a section: nothing, the form for a new item, or an item's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Open {
    Nothing,
    New,
    Edit(i64),
}

/// Runs a change of the course and shows its outcome.
pub fn apply(
    course: RwSignal<Option<AdminCourse>>,
    outcome: RwSignal<Option<Result<String, String>>>,
    change: impl Future<Output = Result<AdminCourse, ApiError>> + 'static,
) {
    spawn_local(async move {
        match change.await {
            Ok(saved) => {
                course.set(Some(saved));
                outcome.set(Some(Ok(text::SAVED.into())));
            }
            Err(e) => outcome.set(Some(Err(e.message()))),
        }
    });
}

/// 上移, 下移, 修改 and 删除 under one lesson or question, with the delete confirmation, which
/// takes the focus and gives it back.
#[component]
pub fn ItemActions(
    /// `lesson` or `question`: names the buttons' ids (`delete-lesson-7`).
    kind: &'static str,
    id: i64,
    /// Its place among the items that move, and the last such place.
    at: usize,
    last: usize,
    /// What the confirmation calls it.
    name: String,
    /// Moves it to another place.
    on_move: Callback<usize>,
    on_edit: Callback<()>,
    on_delete: Callback<()>,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let delete_id = format!("delete-{kind}-{id}");
    let confirm_id = format!("confirm-delete-{kind}-{id}");
    let (ask, back) = (confirm_id.clone(), delete_id.clone());
    view! {
        <div class="actions">
            <button type="button" class="button button-small" disabled={at == 0} on:click=move |_| on_move.run(at.saturating_sub(1))>
                {text::MOVE_UP}
            </button>
            <button type="button" class="button button-small" disabled={at >= last} on:click=move |_| on_move.run(at + 1)>
                {text::MOVE_DOWN}
            </button>
            <button type="button" class="button button-small" on:click=move |_| on_edit.run(())>
                {text::EDIT}
            </button>
            <button
                type="button"
                class="button button-small"
                id=delete_id
                on:click=move |_| {
                    confirming.set(true);
                    focus_soon(ask.clone());
                }
            >
                {text::DELETE}
            </button>
        </div>
        <div class="notice notice-warn" role="alertdialog" hidden=move || !confirming.get()>
            <p>{text::confirm_delete(&name)}</p>
            <div class="actions">
                <button type="button" class="button button-primary" id=confirm_id on:click=move |_| {
                    confirming.set(false);
                    on_delete.run(());
                }>
                    {text::CONFIRM_DELETE}
                </button>
                <button type="button" class="button" on:click=move |_| {
                    confirming.set(false);
                    focus_soon(back.clone());
                }>
                    {text::CANCEL}
                </button>
            </div>
        </div>
    }
}
