//! The browser tab's title, which screen readers announce after each navigation.

use crate::i18n::t;

/// Names the current page in the document title.
pub fn set_page_title(page: &str) {
    leptos::prelude::document().set_title(&(t().page_title)(page));
}
