//! Small building blocks shared by the pages.

pub mod certificate;
pub mod course;
pub mod dom;
pub mod field;
pub mod focus;
pub mod group_sessions;
pub mod large_text;
pub mod layout;
pub mod load;
pub mod notice;
pub mod plan;
pub mod title;
pub mod unit_picker;
pub mod years;
