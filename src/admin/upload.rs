//! Choosing a file and uploading it, with its size checked before anything is sent (the
//! server checks size and type again) and the answer said in plain words.

use crate::admin::courses_api::{picked_file, PickedFile};
use crate::admin::courses_text as text;
use crate::admin::form::Outcome;
use crate::api::ApiError;
use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;
use qinxue_core::admin::human_size;
use send_wrapper::SendWrapper;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// Sends a picked file; resolves when the server has answered.
pub type Send = Rc<dyn Fn(PickedFile) -> Pin<Box<dyn Future<Output = Result<(), ApiError>>>>>;

/// A file input and an upload button.
#[component]
pub fn FileUpload(
    /// The input's id.
    #[prop(into)]
    name: String,
    label: &'static str,
    hint: &'static str,
    /// What the browser offers to pick (`image/png,image/jpeg,image/webp`).
    accept: &'static str,
    /// What the file is, for messages (`封面图片`).
    what: &'static str,
    /// The largest size the server takes, once known.
    #[prop(into)]
    limit: Signal<Option<u64>>,
    send: Send,
) -> impl IntoView {
    let input = NodeRef::<Input>::new();
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(false);
    let send = SendWrapper::new(send);
    let upload = move |_| {
        let Some(element) = input.get() else {
            return;
        };
        let Some(file) = picked_file(&element) else {
            outcome.set(Some(Err(text::NO_FILE.into())));
            return;
        };
        if let Some(max) = limit.get_untracked() {
            if file.size > max {
                outcome.set(Some(Err(text::file_too_large(what, &human_size(max)))));
                return;
            }
        }
        busy.set(true);
        outcome.set(Some(Ok(text::UPLOADING.into())));
        let sent = (send.clone().take())(file);
        spawn_local(async move {
            let result = sent.await;
            busy.set(false);
            outcome.set(Some(match result {
                Ok(()) => {
                    element.set_value("");
                    Ok(text::UPLOADED.into())
                }
                Err(e) => Err(e.message()),
            }));
        });
    };
    view! {
        <div class="field upload">
            <label for=name.clone()>{label}</label>
            <p class="field-hint" id=format!("hint-{name}")>{hint}</p>
            <input
                id=name.clone()
                type="file"
                accept=accept
                node_ref=input
                aria-describedby=format!("hint-{name}")
            />
            <button
                type="button"
                class="button"
                disabled=move || busy.get()
                on:click=upload
            >
                {text::UPLOAD}
            </button>
            <Outcome outcome />
        </div>
    }
}
