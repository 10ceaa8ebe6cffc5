//! Static content built straight into the DOM: lesson bodies and the catalogue never change
//! once shown, and typed views of them cost the first visit several times more download
//! (each distinct view is compiled into its own rendering code). Text always goes in as text
//! nodes, never as HTML. The helpers are kept out of line (`inline(never)`): called from
//! dozens of places, one copy of each is smaller than dozens of inlined ones.

use leptos::prelude::document;
use wasm_bindgen::UnwrapThrowExt;
use web_sys::{Element, Node};

/// Appends `<tag class="class">` to `parent`.
#[inline(never)]
pub fn el(parent: &Node, tag: &str, class: &str) -> Element {
    let element = document().create_element(tag).unwrap_throw();
    if !class.is_empty() {
        element.set_class_name(class);
    }
    let _ = parent.append_child(&element);
    element
}

/// Appends `<tag class="class">text</tag>` to `parent`.
#[inline(never)]
pub fn text(parent: &Node, tag: &str, class: &str, text: &str) -> Element {
    let element = el(parent, tag, class);
    element.set_text_content(Some(text));
    element
}

/// Appends a link; the router takes over clicks on plain links, so it navigates in the app.
pub fn link(parent: &Node, href: &str, label: &str) -> Element {
    let a = text(parent, "a", "", label);
    let _ = a.set_attribute("href", href);
    a
}

/// Sets an attribute (one that cannot fail: the names are constants).
#[inline(never)]
pub fn attr(element: &Element, name: &str, value: &str) {
    let _ = element.set_attribute(name, value);
}

/// A labelled progress bar: the native `<progress>` (screen readers announce it as a
/// percentage) under its label and the figures written out.
pub struct Bar {
    bar: Element,
    figures: Element,
}

impl Bar {
    /// Appends a bar labelled `label` to `parent`; `id` names the label, and the figures
    /// carry `data-testid="id"`.
    pub fn new(parent: &Node, id: &str, label: &str) -> Self {
        let wrap = el(parent, "div", "progress");
        let head = el(&wrap, "p", "progress-head");
        text(&head, "span", "", label).set_id(id);
        let figures = el(&head, "strong", "");
        attr(&figures, "data-testid", id);
        let bar = el(&wrap, "progress", "");
        attr(&bar, "aria-labelledby", id);
        Self { bar, figures }
    }

    /// Shows `value` of `max` (`data-secs` holds the value, for tests) and the figures.
    pub fn set(&self, value: i64, max: i64, figures: &str) {
        attr(&self.bar, "max", &max.max(1).to_string());
        attr(&self.bar, "value", &value.clamp(0, max.max(1)).to_string());
        attr(&self.figures, "data-secs", &value.to_string());
        self.figures.set_text_content(Some(figures));
    }
}
