//! A page's data, loaded when the page opens: a loading line, then the content, or the
//! failure with a button to try again.
//!
//! Not generic: one copy of this code serves every page that builds its content straight into
//! the DOM (see `components::dom`), where a signal of each page's data type would compile a
//! copy per page.

use crate::api::{self, ApiError};
use crate::components::dom::{attr, el, link, text};
use crate::i18n::t;
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local_scoped_with_cancellation;
use qinxue_core::ErrorCode;
use send_wrapper::SendWrapper;
use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::task::Poll;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::Element;

/// Builds a page's content into the element it is given, once its data has come.
pub type Fill = Rc<dyn Fn(Element) -> Pin<Box<dyn Future<Output = Result<(), ApiError>>>>>;

/// A `<div>` that `fill` fills. The task runs under the page's owner: it is cancelled when the
/// page goes away, and what it starts (a study session) is cleaned up with the page.
pub fn load_into(fill: Fill) -> impl IntoView {
    let place = NodeRef::<Div>::new();
    let page = Owner::current().unwrap_or_default();
    let fill = SendWrapper::new(fill);
    place.on_load(move |place| run(page, place.into(), fill.take()));
    view! { <div node_ref=place></div> }
}

fn run(page: Owner, place: Element, fill: Fill) {
    place.set_text_content(None);
    attr(&text(&place, "p", "loading", t().loading), "role", "status");
    let content = document().create_element("div").unwrap();
    let loaded = fill(content.clone());
    page.clone().with(|| {
        spawn_local_scoped_with_cancellation(async move {
            match loaded.await {
                Ok(()) => place.replace_children_with_node_1(&content),
                Err(error) => failed(page, place, fill, &error),
            }
        })
    });
}

/// The failure, in the person's language, and a retry button (as `ErrorNotice` shows it);
/// for a visitor not signed in, the way to sign in instead, since trying again cannot help.
fn failed(page: Owner, place: Element, fill: Fill, error: &ApiError) {
    place.set_text_content(None);
    let notice = el(&place, "div", "notice notice-error");
    attr(&notice, "role", "alert");
    text(&notice, "p", "", &error.message());
    if error.code() == Some(ErrorCode::Unauthenticated) {
        let sign_in = link(&notice, &api::sign_in_url(false), t().nav_login);
        sign_in.set_class_name("button button-primary");
        return;
    }
    let retry = text(&notice, "button", "button", t().retry);
    attr(&retry, "type", "button");
    let again = place.clone();
    let on_click = Closure::once_into_js(move || run(page, again, fill));
    let _ = retry.add_event_listener_with_callback("click", on_click.unchecked_ref());
}

/// Both answers, the two requests in flight together: a page that asks for its plan, then its
/// courses, waits a round trip more before it can show anything (on a phone's network the
/// largest part of the time to its first content).
pub async fn both<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut a_out, mut b_out) = (None, None);
    poll_fn(|cx| {
        if a_out.is_none() {
            if let Poll::Ready(out) = a.as_mut().poll(cx) {
                a_out = Some(out);
            }
        }
        if b_out.is_none() {
            if let Poll::Ready(out) = b.as_mut().poll(cx) {
                b_out = Some(out);
            }
        }
        match (a_out.take(), b_out.take()) {
            (Some(a), Some(b)) => Poll::Ready((a, b)),
            (a, b) => {
                (a_out, b_out) = (a, b);
                Poll::Pending
            }
        }
    })
    .await
}
