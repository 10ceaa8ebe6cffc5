//! Who is signed in, shared by every page through context.
//!
//! The session cookie is HttpOnly, so the browser cannot read it; `/api/me` is the only way to
//! know, and it is asked again after every login, registration and logout.

use crate::api::{self, ApiError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use qinxue_core::api::Me;
use qinxue_core::{ErrorCode, Role};

/// What the app knows about the person at the keyboard.
#[derive(Debug, Clone)]
pub enum SessionState {
    /// `/api/me` has not answered yet.
    Loading,
    SignedOut,
    SignedIn(Box<Me>),
    /// The server could not be asked; the person may or may not be signed in.
    Failed(ApiError),
}

/// Handle to the shared session; cheap to copy into closures.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    state: RwSignal<SessionState>,
}

impl Session {
    /// The current state; reactive.
    pub fn state(&self) -> SessionState {
        self.state.get()
    }

    /// The current state, not tracked (for code that runs once, e.g. a page's loading).
    pub fn state_untracked(&self) -> SessionState {
        self.state.get_untracked()
    }

    /// Whether someone other than a trainee is signed in; not reactive.
    pub fn is_admin(&self) -> bool {
        self.state
            .with_untracked(|s| matches!(s, SessionState::SignedIn(me) if me.role != Role::Trainee))
    }

    /// Asks the server who is signed in and publishes the answer. Awaited by login, register
    /// and logout before they navigate, so the next page never shows the previous person.
    pub async fn reload(self) {
        let state = match api::me().await {
            Ok(me) => SessionState::SignedIn(Box::new(me)),
            Err(e) if e.code() == Some(ErrorCode::Unauthenticated) => SessionState::SignedOut,
            Err(e) => SessionState::Failed(e),
        };
        self.state.set(state);
    }
}

/// Creates the session for the whole app and starts asking the server about it.
pub fn provide_session() {
    let session = Session {
        state: RwSignal::new(SessionState::Loading),
    };
    provide_context(session);
    spawn_local(session.reload());
}

/// The session provided by the app.
pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// In context in the visitors' app (`crate::welcome_app`), which leaves by a page load once
/// someone is signed in: the server then sends the trainee app.
#[derive(Debug, Clone, Copy)]
pub struct VisitorsApp;

/// Goes to a page of the app once someone has signed in (login, registration): the router's
/// navigation in the trainee app, a page load in the visitors' app. The load starts before the
/// address changes, so that a page waiting for the address waits for the trainee app too.
pub fn use_signed_in_navigate() -> impl Fn(&str) + Clone {
    let navigate = use_navigate();
    let visitors = use_context::<VisitorsApp>().is_some();
    move |to: &str| {
        if visitors {
            let _ = window().location().assign(to);
        } else {
            navigate(to, Default::default());
        }
    }
}
