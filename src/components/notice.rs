//! Messages that stand in for content: loading, and failures with a way to try again.

use crate::i18n::t;
use leptos::prelude::*;

/// Shown while data loads.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" role="status">{t().loading}</p> }
}

/// A failure people can read, with a retry button when retrying can help.
#[component]
pub fn ErrorNotice(
    /// What went wrong, already in the person's language.
    message: String,
    /// Tries the failed operation again.
    #[prop(optional)]
    on_retry: Option<Callback<()>>,
) -> impl IntoView {
    view! {
        <div class="notice notice-error" role="alert">
            <p>{message}</p>
            {on_retry
                .map(|retry| {
                    view! {
                        <button type="button" class="button" on:click=move |_| retry.run(())>
                            {t().retry}
                        </button>
                    }
                })}
        </div>
    }
}
