//! The room's sign-in screen: 身份证号 and the 6-digit PIN from the proctor's screen, nothing
//! else; or, while the session is not open, why one cannot sign in yet.

use super::{api, clear_terminal, Bye, RoomTitle, WATCH_SECS};
use crate::components::field::TextField;
use crate::components::focus::focus_element;
use leptos::prelude::*;
use leptos::task::spawn_local;
use qinxue_core::api::FieldError;
use qinxue_core::group::{GroupStatus, RoomInfo, SeatSession};
use qinxue_core::IdNumber;
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
        GroupStatus::Open => view! { <Form info=info.clone() on_seated /> }.into_any(),
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
