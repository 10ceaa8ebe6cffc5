//! Qinxue (勤学) web front end: Leptos apps rendered in the browser (CSR), built by Trunk and
//! served by the Qinxue server next to its JSON API.
//!
//! Two bundles share these modules. The trainee app (`src/main.rs`, `index.html`) is what a
//! trainee's first visit downloads and has a size budget; the administrators' app
//! (`src/bin/admin.rs`, `admin.html`, served under `/admin/`) is a second bundle so that none of
//! its pages weigh on that first visit. Link-time optimisation keeps each bundle to what its
//! own app reaches. The certificates (`src/bin/certificates.rs`) and the computer room's kiosk
//! (`src/bin/room.rs`, `room.html`, served at `/room/<code>`) are bundles of their own for the
//! same reason, and so are the visitors' pages of a first visit (`welcome_app`, `welcome.html`),
//! which the server sends to a request without a valid sign-in.

pub mod admin;
pub mod api;
pub mod app;
pub mod certificates_app;
pub mod clock;
pub mod components;
pub mod group_time;
pub mod i18n;
pub mod pages;
pub mod room;
pub mod session;
pub mod study;
pub mod welcome_app;
pub mod wire;

use leptos::prelude::IntoView;

/// Mounts an app on the page's `<body>`.
pub fn start<F, N>(app: F)
where
    F: FnOnce() -> N + 'static,
    N: IntoView + 'static,
{
    // Panics otherwise end up as an opaque "unreachable" in the console.
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app);
}
