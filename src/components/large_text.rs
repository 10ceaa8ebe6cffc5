//! The 大字 switch: many trainees read small text with difficulty. Every size in the style
//! sheet is in `rem`, so one class on `<html>` scales the whole page.

use crate::i18n::t;
use leptos::prelude::*;

const STORAGE_KEY: &str = "qinxue.large_text";
const HTML_CLASS: &str = "large-text";

/// A toggle button that remembers the choice on this device.
#[component]
pub fn LargeTextToggle() -> impl IntoView {
    // Nothing stored (first visit) or storage disabled (private mode) both mean normal text.
    let large = RwSignal::new(
        storage()
            .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
            .as_deref()
            == Some("true"),
    );
    // Applied at once as well as in the effect, so the first paint already has the right size.
    apply(large.get_untracked());
    Effect::new(move || {
        let on = large.get();
        apply(on);
        // Failing to remember (storage full or disabled) only costs the next visit one click.
        if let Some(storage) = storage() {
            let _ = storage.set_item(STORAGE_KEY, if on { "true" } else { "false" });
        }
    });
    view! {
        <button
            type="button"
            class="button large-text-toggle"
            aria-pressed=move || if large.get() { "true" } else { "false" }
            title=t().large_text_hint
            on:click=move |_| large.update(|on| *on = !*on)
        >
            {t().large_text}
        </button>
    }
}

/// This device's local storage; none in some private modes.
fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

fn apply(on: bool) {
    if let Some(html) = document().document_element() {
        // toggle_with_force only fails for an invalid token, and ours is a constant.
        let _ = html.class_list().toggle_with_force(HTML_CLASS, on);
    }
}
