//! What an unknown address shows.

use crate::components::title::set_page_title;
use crate::i18n::t;
use leptos::prelude::*;
use leptos_router::components::A;

/// The 404 page.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let text = t();
    set_page_title(text.not_found_title);
    view! {
        <section class="card">
            <h1>{text.not_found_title}</h1>
            <p>{text.not_found_text}</p>
            <p>
                <A href="/" attr:class="button button-primary">{text.back_home}</A>
            </p>
        </section>
    }
}
