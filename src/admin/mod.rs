//! The administrators' app, served under `/admin/` as its own bundle (see `crate` docs).
//!
//! Each administrator's tool is a page module here, a `Route` below and an entry in
//! [`tools::TOOLS`], which both the navigation and the home page read.

pub mod guard;
pub mod home;
pub mod layout;
pub mod text;
pub mod tools;

use crate::pages::not_found::NotFoundPage;
use crate::session::provide_session;
use guard::AdminOnly;
use home::AdminHomePage;
use layout::AdminLayout;
use leptos::prelude::*;
use leptos_router::components::{FlatRoutes, Route, Router};
use leptos_router::path;

/// The root component of the admin bundle.
#[component]
pub fn AdminApp() -> impl IntoView {
    provide_session();
    // `base` makes every `<A href="/…">` and `navigate("/…")` here stay under /admin/; links
    // back to the trainee app need `rel="external"` so the router lets the browser load them.
    view! {
        <Router base="/admin">
            <AdminLayout>
                <AdminOnly>
                    <FlatRoutes fallback=NotFoundPage>
                        <Route path=path!("/") view=AdminHomePage />
                    </FlatRoutes>
                </AdminOnly>
            </AdminLayout>
        </Router>
    }
}
