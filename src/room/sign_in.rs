//! The room's sign-in screen: 身份证号 and the 6-digit PIN from the proctor's screen, nothing
//! else, and the terminal's 4-digit seat code for a person whom the proctor seats from the
//! console instead; or, while the session is not open, why one cannot sign in yet.

use super::{api, clear_terminal, Bye, RoomTitle, TERMINAL_SECS, WATCH_SECS};
use crate::components::field::TextField;
use crate::components::focus::focus_element;
use leptos::prelude::*;
use leptos::task::spawn_local;
use qinxue_core::api::FieldError;
use qinxue_core::group::{GroupStatus, RoomInfo, SeatSession};
use qinxue_core::{ErrorCode, IdNumber};
use std::time::Duration;

/// The sign-in form of an open session, or the session's state otherwise; a session not yet
/// open is asked again every [`WATCH_SECS`], so the form appears once the proctor opens it.
#[component]
pub fn SignIn(
    info: RoomInfo,
    /// Why the last person's seat ended, said once above the form.
    bye: Option<Bye>,
    on_seated: Callback<(RoomInfo, SeatSession)>,
    /// Loads the room again (its state changed).
    on_reload: Callback<()>,
) -> impl IntoView {
    let status = info.status;
    if status == GroupStatus::Scheduled {
        if let Ok(handle) =
            set_interval_with_handle(move || on_reload.run(()), Duration::from_secs(WATCH_SECS))
        {
            on_cleanup(move || handle.clear());
        }
    }
    let bye =
        bye.map(|b| view! { <p class="notice notice-ok room-bye" role="status">{b.message()}</p> });
    let body = match status {
        GroupStatus::Open => view! {
            <Form info=info.clone() on_seated />
            <SeatCode info=info.clone() on_seated on_reload />
        }
        .into_any(),
        GroupStatus::Scheduled => view! {
            <p class="notice notice-warn room-wait" role="status">
                "监考员还没有开始签到，请稍候。开始后本页会自动显示签到框。"
            </p>
        }
        .into_any(),
        GroupStatus::Closed => {
            view! { <p class="notice room-wait" role="status">"本场集中学习已结束。"</p> }
                .into_any()
        }
        GroupStatus::Cancelled => {
            view! { <p class="notice room-wait" role="status">"本场集中学习已取消。"</p> }
                .into_any()
        }
    };
    view! {
        <RoomTitle info />
        {bye}
        {body}
    }
}

/// 身份证号 and PIN, each checked here first so that a typing slip is said at once, in words.
#[component]
fn Form(info: RoomInfo, on_seated: Callback<(RoomInfo, SeatSession)>) -> impl IntoView {
    let id_number = RwSignal::new(String::new());
    let pin = RwSignal::new(String::new());
    let id_error = RwSignal::new(None::<String>);
    let pin_error = RwSignal::new(None::<String>);
    let alert = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let code = info.code.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        alert.set(None);
        let id = id_number.get_untracked().trim().to_uppercase();
        let digits: String = pin
            .get_untracked()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        id_error.set(
            IdNumber::parse(&id, crate::clock::today_in_shanghai())
                .err()
                .map(|e| e.to_string()),
        );
        pin_error
            .set((digits.len() != 6).then(|| "请输入监考员屏幕上的 6 位数字签到码".to_owned()));
        if id_error.get_untracked().is_some() {
            return focus_element("id_number");
        }
        if pin_error.get_untracked().is_some() {
            return focus_element("pin");
        }
        busy.set(true);
        let (code, info) = (code.clone(), info.clone());
        spawn_local(async move {
            // Whatever the last person's pages kept goes before the next person is seated.
            clear_terminal();
            let seated = api::sign_in(&code, id, digits).await;
            busy.set(false);
            match seated {
                Ok(seat) => on_seated.run((info, seat)),
                Err(e) => {
                    let fields: &[FieldError] = e.field_errors();
                    if let Some(f) = fields.iter().find(|f| f.field == "id_number") {
                        id_error.set(Some(f.message.clone()));
                    }
                    pin.set(String::new());
                    alert.set(Some(e.message()));
                    focus_element("room-alert");
                }
            }
        });
    };
    view! {
        <form class="card form-card room-form" on:submit=submit novalidate>
            <h2>"签到"</h2>
            <p
                id="room-alert"
                class="form-alert"
                role="alert"
                tabindex="-1"
                hidden=move || alert.with(Option::is_none)
            >
                {move || alert.get()}
            </p>
            <TextField
                name="id_number"
                label="身份证号"
                value=id_number
                error=id_error
                autocomplete="off"
                hint="18 位，最后一位可能是 X"
            />
            <TextField
                name="pin"
                label="签到码（监考员屏幕上的 6 位数字）"
                value=pin
                error=pin_error
                inputmode="numeric"
                autocomplete="off"
            />
            <button type="submit" class="button button-primary button-block room-go" disabled=move || busy.get()>
                {move || if busy.get() { "正在签到……" } else { "签到并开始学习" }}
            </button>
        </form>
    }
}

/// The terminal's seat code, for a person who cannot type their 身份证号: the proctor types
/// it on the console with the person's name, and the next ask ([`TERMINAL_SECS`]) takes the
/// seat made here. A session that stopped being open loads the room again.
#[component]
fn SeatCode(
    info: RoomInfo,
    on_seated: Callback<(RoomInfo, SeatSession)>,
    on_reload: Callback<()>,
) -> impl IntoView {
    let seat_code = RwSignal::new(None::<String>);
    let code = info.code.clone();
    // One ask at a time: a slow answer must not let two seat the terminal twice.
    let asking = StoredValue::new(false);
    let ask = move || {
        if asking.get_value() {
            return;
        }
        asking.set_value(true);
        let (code, info) = (code.clone(), info.clone());
        spawn_local(async move {
            let answer = api::terminal(&code).await;
            asking.set_value(false);
            match answer {
                Ok(view) => match view.seat {
                    Some(seat) => {
                        clear_terminal();
                        on_seated.run((info, seat));
                    }
                    None => seat_code.set(view.seat_code),
                },
                // Not open any more (closed, or not yet): the room says which.
                Err(e)
                    if matches!(
                        e.code(),
                        Some(ErrorCode::RoomClosed | ErrorCode::RoomNotOpen)
                    ) =>
                {
                    on_reload.run(())
                }
                // No network for a moment: the next ask tries again.
                Err(_) => {}
            }
        });
    };
    ask();
    // The interval also stops itself once this screen's values are gone: in the browser it
    // outlived the screen after the person was seated (its cleanup did not clear it), and
    // reading a disposed value panics.
    let handle = std::rc::Rc::new(std::cell::Cell::new(None::<IntervalHandle>));
    let own = send_wrapper::SendWrapper::new(std::rc::Rc::clone(&handle));
    let tick = move || {
        if asking.try_get_value().is_none() {
            if let Some(h) = (*own).take() {
                h.clear();
            }
            return;
        }
        ask();
    };
    if let Ok(h) = set_interval_with_handle(tick, Duration::from_secs(TERMINAL_SECS)) {
        handle.set(Some(h));
        on_cleanup(move || h.clear());
    }
    view! {
        <section class="card room-seat-code" aria-labelledby="seat-code-title">
            <h2 id="seat-code-title">"座位码"</h2>
            <p>"不方便输入身份证号？请把下面的座位码告诉监考员，由监考员为您签到。"</p>
            <p class="room-seat-code-digits" data-testid="seat-code">
                {move || seat_code.get().unwrap_or_else(|| "····".to_owned())}
            </p>
        </section>
    }
}
