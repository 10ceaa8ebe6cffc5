//! The API's answers built from storage rows: one module per feature. Storage returns its
//! own row types and never the wire types of `qinxue_core`; what a client sees is put together
//! here, so that a stored column and an answer's field can change apart (a unit test in
//! `views/tests.rs` keeps storage free of wire types).

pub mod activities;
pub mod catalogue;
pub mod course_admin;
pub mod directory;

#[cfg(test)]
mod tests;
