//! Qinxue (勤学) web front end: a Leptos app rendered in the browser (CSR), built by Trunk
//! and served by the Qinxue server next to its JSON API.

mod api;
mod app;
mod clock;
mod components;
mod i18n;
mod pages;
mod session;
mod study;
mod wire;

fn main() {
    // Panics otherwise end up as an opaque "unreachable" in the console.
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
