//! Only administrators get past: the server refuses everyone else anyway, but a trainee or a
//! signed-out visitor should see why instead of a page of refusals.

use crate::admin::text;
use crate::components::notice::{ErrorNotice, Loading};
use crate::i18n::t;
use crate::session::{use_session, SessionState};
use leptos::prelude::*;
use leptos::task::spawn_local;
use qinxue_core::Role;

/// Shows its children to a signed-in administrator; sends a signed-out visitor to the
/// trainee app's sign-in page, which brings administrators back here.
#[component]
pub fn AdminOnly(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    move || match session.state() {
        SessionState::Loading => view! { <Loading /> }.into_any(),
        SessionState::SignedOut => {
            // A full load: the sign-in page belongs to the other bundle.
            let _ = window().location().assign(&crate::api::sign_in_url(false));
            view! { <p class="loading" role="status">{text::SIGN_IN_FIRST}</p> }.into_any()
        }
        SessionState::Failed(error) => {
            let message = format!("{}：{}", t().session_failed, error.message());
            let retry = Callback::new(move |_| spawn_local(session.reload()));
            view! { <ErrorNotice message on_retry=retry /> }.into_any()
        }
        SessionState::SignedIn(me) if me.role == Role::Trainee => view! {
            <section class="card">
                <p>{text::ADMINS_ONLY}</p>
                <p>
                    <a href="/" rel="external" class="button button-primary">
                        {text::TO_SITE}
                    </a>
                </p>
            </section>
        }
        .into_any(),
        SessionState::SignedIn(_) => children().into_any(),
    }
}
