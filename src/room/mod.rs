//! The kiosk of a computer room (集中学习, DESIGN.md §8 "Group sessions"): the room bundle
//! (`room.html`, served at `/room/<code>`), a bundle of its own so that the trainee's first
//! visit does not carry it.
//!
//! A terminal is shared by many people, most of whom rarely use a computer: the screens are
//! large and few (身份证号 and PIN; the course's lessons; the lesson itself, with the player of
//! online study), and nothing of one person stays for the next. Signing out, the session
//! closing, the person sitting down elsewhere, or the next person signing in all end in
//! [`leave`]: the seat cookie is cleared by the server, the terminal's storage is emptied, and
//! the page is loaded anew, which drops every bit of the last person's page state.

pub mod api;
mod practice;
mod seat;
mod sign_in;

use crate::components::title::set_page_title;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{FlatRoutes, Route, Router};
use leptos_router::hooks::{use_params, use_query_map};
use leptos_router::params::Params;
use leptos_router::path;
use qinxue_core::group::{GroupStatus, RoomInfo, SeatSession};
use qinxue_core::ErrorCode;
use std::time::Duration;

/// How often a seated terminal asks whether its seat still holds: a closed session, or the
/// person signed in elsewhere, clears the terminal within this time.
pub const WATCH_SECS: u64 = 10;

/// How often a terminal nobody sits at asks whether the proctor seated someone at it.
pub const TERMINAL_SECS: u64 = 3;

/// The root component of `room.html`.
#[component]
pub fn RoomApp() -> impl IntoView {
    // Large text always: the room's people read from a little further away than at home.
    if let Some(html) = document().document_element() {
        let _ = html.class_list().add_1("large-text");
    }
    view! {
        <Router>
            <FlatRoutes fallback=NoRoom>
                <Route path=path!("/room/:code") view=RoomPage />
                <Route path=path!("/room/:code/lessons/:id") view=seat::SeatLessonPage />
                <Route path=path!("/room/:code/practice") view=practice::SeatPracticePage />
            </FlatRoutes>
        </Router>
    }
}

#[derive(leptos::Params, Debug, Clone, PartialEq)]
struct RoomParams {
    code: Option<String>,
}

/// The room code of the address, cleaned.
fn room_code() -> Memo<String> {
    let params = use_params::<RoomParams>();
    Memo::new(move |_| {
        params.with(|p| {
            p.as_ref()
                .ok()
                .and_then(|p| p.code.as_deref())
                .map(api::clean_code)
                .unwrap_or_default()
        })
    })
}

/// Why the last person's seat ended, as the next screen says it (`?bye=` of the address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bye {
    SignedOut,
    Closed,
    Moved,
    Ended,
}

impl Bye {
    fn as_str(self) -> &'static str {
        match self {
            Bye::SignedOut => "signed_out",
            Bye::Closed => "closed",
            Bye::Moved => "moved",
            Bye::Ended => "ended",
        }
    }

    fn from_query(s: &str) -> Option<Self> {
        [Bye::SignedOut, Bye::Closed, Bye::Moved, Bye::Ended]
            .into_iter()
            .find(|b| b.as_str() == s)
    }

    /// The seat's end a refusal of the seat routes says, if it says one.
    pub fn of(code: Option<ErrorCode>) -> Option<Self> {
        match code? {
            ErrorCode::RoomClosed => Some(Bye::Closed),
            ErrorCode::SeatMoved => Some(Bye::Moved),
            ErrorCode::SeatEnded | ErrorCode::Unauthenticated | ErrorCode::SeatOnly => {
                Some(Bye::Ended)
            }
            _ => None,
        }
    }

    fn message(self) -> &'static str {
        match self {
            Bye::SignedOut => "您已签退。下一位学员请签到。",
            Bye::Closed => "本场集中学习已结束，本机已签退。",
            Bye::Moved => "您已在另一台电脑签到，本机已退出。",
            Bye::Ended => "本机已退出登录。如需继续学习，请重新签到。",
        }
    }
}

/// Empties this terminal's storage: nothing the last person's pages kept may be read by the
/// next one (the seat cookie is HttpOnly and cleared by the server).
pub fn clear_terminal() {
    for storage in [window().local_storage(), window().session_storage()] {
        if let Ok(Some(storage)) = storage {
            let _ = storage.clear();
        }
    }
}

thread_local! {
    /// [`leave`] has begun: the page is about to be replaced.
    static LEAVING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Ends the seat on this terminal: the server signs it out and clears its cookie, the
/// storage is emptied, and the room's first screen is loaded afresh (a full load, so that no
/// page state survives), saying `why`.
pub fn leave(code: String, why: Bye) {
    // Several things may say at once that the seat ended (the seat's event stream, the watch,
    // 签退): the terminal is cleared and loaded anew once, since a second load would abort
    // the first.
    if LEAVING.with(|l| l.replace(true)) {
        return;
    }
    spawn_local(async move {
        // Also after a refusal: a seat that ended still has its cookie until this clears it.
        let _ = api::sign_out(&code).await;
        clear_terminal();
        let _ = window()
            .location()
            .replace(&format!("/room/{code}?bye={}", why.as_str()));
    });
}

/// Asks every [`WATCH_SECS`] whether the seat holds, calling `seated` with each answer, and
/// [`leave`]s when the server says it ended. Stops with the page.
pub fn watch_seat(code: String, seated: impl Fn(SeatSession) + 'static) {
    // Interval callbacks must be Send; the app is single-threaded wasm.
    let seated = send_wrapper::SendWrapper::new(std::rc::Rc::new(seated));
    let handle = set_interval_with_handle(
        move || {
            let code = code.clone();
            let seated = std::rc::Rc::clone(&seated);
            spawn_local(async move {
                match api::seat(&code).await {
                    Ok(seat) => (*seated)(seat),
                    Err(e) => {
                        if let Some(why) = Bye::of(e.code()) {
                            leave(code, why);
                        }
                    }
                }
            });
        },
        Duration::from_secs(WATCH_SECS),
    );
    if let Ok(handle) = handle {
        on_cleanup(move || handle.clear());
    }
}

/// What the room's first screen shows.
#[derive(Debug, Clone)]
enum Stage {
    Loading,
    /// No such room, or no network; with the reason.
    Failed(String),
    /// Nobody sits here: the sign-in form (or why one cannot sign in now).
    SignIn(RoomInfo),
    Seated(RoomInfo, SeatSession),
}

/// The room at `/room/<code>`: the sign-in screen, or the seated person's lessons.
#[component]
fn RoomPage() -> impl IntoView {
    let code = room_code();
    let query = use_query_map();
    let bye = Memo::new(move |_| query.with(|q| q.get("bye").as_deref().and_then(Bye::from_query)));
    let stage = RwSignal::new(Stage::Loading);
    let load = move || {
        let code = code.get_untracked();
        spawn_local(async move {
            let info = match api::info(&code).await {
                Ok(info) => info,
                Err(e) => return stage.set(Stage::Failed(e.message())),
            };
            set_page_title(&info.title);
            match api::seat(&code).await {
                Ok(seat) => stage.set(Stage::Seated(info, seat)),
                Err(e) => {
                    // A seat that ended (closed, moved) still holds its cookie: clear it now.
                    if Bye::of(e.code()).is_some_and(|b| b != Bye::Ended) {
                        let _ = api::sign_out(&code).await;
                    }
                    clear_terminal();
                    stage.set(Stage::SignIn(info));
                }
            }
        });
    };
    load();
    view! {
        <header class="site-header room-header">
            <div class="container header-bar">
                <span class="brand">
                    <span class="brand-name">"勤学"</span>
                    <span class="brand-subtitle">"集中学习"</span>
                </span>
            </div>
        </header>
        <main id="main" class="container room" tabindex="-1">
            {move || match stage.get() {
                Stage::Loading => view! { <p class="loading" role="status">"正在加载，请稍候……"</p> }.into_any(),
                Stage::Failed(message) => view! {
                    <section class="card notice notice-error" role="alert">
                        <p>{message}</p>
                        <p>"请核对地址栏中的房间号，或请监考员帮忙。"</p>
                        <button type="button" class="button button-primary" on:click=move |_| load()>"重试"</button>
                    </section>
                }
                .into_any(),
                Stage::SignIn(info) => view! {
                    <sign_in::SignIn
                        info
                        bye=bye.get_untracked()
                        on_seated=Callback::new(move |(info, seat)| stage.set(Stage::Seated(info, seat)))
                        on_reload=Callback::new(move |()| load())
                    />
                }
                .into_any(),
                Stage::Seated(info, seat) => view! { <seat::SeatHome info seat /> }.into_any(),
            }}
        </main>
    }
}

/// The room's heading: the session, where, and until when.
#[component]
fn RoomTitle(info: RoomInfo) -> impl IntoView {
    let status = (info.status != GroupStatus::Open).then(|| {
        view! { <span class="badge">{info.status.label()}</span> }
    });
    view! {
        <h1 data-testid="room-title">{info.title.clone()} " " {status}</h1>
        <p class="room-where">
            {format!("{} · {} · {}", info.room, info.course_title, crate::group_time::span(info.starts_at, info.ends_at))}
        </p>
    }
}

/// An address that is no room.
#[component]
fn NoRoom() -> impl IntoView {
    set_page_title("找不到该房间");
    view! {
        <main id="main" class="container room" tabindex="-1">
            <section class="card">
                <h1>"找不到该房间"</h1>
                <p>"请打开监考员告诉您的地址，例如 /room/ 后面跟 8 位房间号。"</p>
            </section>
        </main>
    }
}
