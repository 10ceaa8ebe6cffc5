//! Moving the keyboard focus: after a failed submit the person (and their screen reader)
//! lands on the first thing to fix; the skip link lands on the page's content.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Focuses the element whose id is `id`, if it is on the page.
pub fn focus_element(id: &str) {
    if let Some(element) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        // Focus only fails for elements that cannot take it: form controls and the
        // tabindex=-1 <main> all can.
        let _ = element.focus();
    }
}
