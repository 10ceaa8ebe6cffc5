//! The certificates bundle's application: the certificate's print page and the public
//! verification page, with the trainee app's layout and session. A bundle of its own, so that
//! the certificate code (payload decoding, WebCrypto) adds nothing to a first visit.

use crate::components::layout::Layout;
use crate::pages::certificate::CertificatePage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::verify::VerifyPage;
use crate::session::provide_session;
use leptos::prelude::*;
use leptos_router::components::{FlatRoutes, Route, Router};
use leptos_router::path;

/// The root component of `certificates.html`.
#[component]
pub fn CertificatesApp() -> impl IntoView {
    provide_session();
    view! {
        <Router>
            <Layout>
                <FlatRoutes fallback=NotFoundPage>
                    <Route path=path!("/certificates/:year") view=CertificatePage />
                    <Route path=path!("/verify/:code") view=VerifyPage />
                </FlatRoutes>
            </Layout>
        </Router>
    }
}
