//! The console's 为学员签到: the proctor seats a person who cannot type their 身份证号 at the
//! terminal showing a 4-digit seat code (`POST /api/group-sessions/{id}/seats`). The person is
//! picked by touch among the assigned and those who sat here before, or named by 身份证号; the
//! kiosk takes the seat at its next ask (`POST /api/rooms/{code}/terminal`).

use crate::admin::group_api;
use crate::components::field::TextField;
use crate::components::focus::focus_element;
use leptos::prelude::*;
use leptos::task::spawn_local;
use qinxue_core::group::{is_seat_code, GroupSessionView, ProctorSeating, SeatState};
use qinxue_core::IdNumber;

/// The form, for an open session; `view` is the console's, replaced by the answer.
#[component]
pub fn SeatSomeone(view: RwSignal<Option<GroupSessionView>>, id: i64) -> impl IntoView {
    let seat_code = RwSignal::new(String::new());
    let id_number = RwSignal::new(String::new());
    let picked = RwSignal::new(None::<(i64, String)>);
    let code_error = RwSignal::new(None::<String>);
    let id_error = RwSignal::new(None::<String>);
    let alert = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // Who one touch may seat: the assigned trainees not at a seat now, then those who sat here
    // and left (a break, a terminal that failed) though not assigned (a session open to the
    // region has nobody assigned).
    let pickable = move || {
        view.with(|v| {
            v.as_ref().map_or_else(Vec::new, |v| {
                let seated = |trainee: i64| {
                    v.seats
                        .iter()
                        .any(|s| s.trainee_id == trainee && s.state != SeatState::Left)
                };
                let assigned = v
                    .trainees
                    .iter()
                    .filter(|t| !seated(t.trainee_id))
                    .map(|t| (t.trainee_id, t.name.clone(), t.id_number.clone()));
                let left = v
                    .seats
                    .iter()
                    .filter(|s| s.state == SeatState::Left)
                    .filter(|s| !v.trainees.iter().any(|t| t.trainee_id == s.trainee_id))
                    .map(|s| (s.trainee_id, s.name.clone(), s.id_number.clone()));
                assigned.chain(left).collect::<Vec<_>>()
            })
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        alert.set(None);
        done.set(None);
        let digits: String = seat_code
            .get_untracked()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        code_error
            .set((!is_seat_code(&digits)).then(|| "请输入学员电脑屏幕上的 4 位座位码".to_owned()));
        let who = picked.get_untracked();
        let typed = id_number.get_untracked().trim().to_uppercase();
        id_error.set(match (&who, typed.is_empty()) {
            (Some(_), _) => None,
            (None, true) => Some("请选择学员，或输入学员的身份证号".to_owned()),
            (None, false) => IdNumber::parse(&typed, crate::clock::today_in_shanghai())
                .err()
                .map(|e| e.to_string()),
        });
        if code_error.get_untracked().is_some() {
            return focus_element("seat_code");
        }
        if id_error.get_untracked().is_some() {
            return focus_element("seat_id_number");
        }
        let request = ProctorSeating {
            seat_code: digits.clone(),
            trainee_id: who.as_ref().map(|w| w.0),
            id_number: who.is_none().then_some(typed),
        };
        busy.set(true);
        spawn_local(async move {
            let answer = group_api::seat(id, &request).await;
            busy.set(false);
            match answer {
                Ok(v) => {
                    let name = who.map(|w| w.1).or_else(|| {
                        v.seats
                            .iter()
                            .filter(|s| s.by_proctor && s.state != SeatState::Left)
                            .max_by_key(|s| s.signed_in_at)
                            .map(|s| s.name.clone())
                    });
                    view.set(Some(v));
                    done.set(Some(format!(
                        "已为{}在座位码 {digits} 的电脑上签到，该电脑几秒内会显示课程。",
                        name.unwrap_or_default()
                    )));
                    seat_code.set(String::new());
                    id_number.set(String::new());
                    picked.set(None);
                }
                Err(e) => {
                    for f in e.field_errors() {
                        match f.field.as_str() {
                            "seat_code" => code_error.set(Some(f.message.clone())),
                            "id_number" | "trainee_id" => id_error.set(Some(f.message.clone())),
                            _ => {}
                        }
                    }
                    alert.set(Some(e.message()));
                    focus_element("seating-alert");
                }
            }
        });
    };
    let picks = move || {
        let people = pickable();
        (!people.is_empty()).then(|| {
            let buttons = people
                .into_iter()
                .map(|(trainee, name, masked)| {
                    let label = name.clone();
                    let pressed =
                        move || picked.with(|p| p.as_ref().is_some_and(|p| p.0 == trainee));
                    view! {
                        <li>
                            <button
                                type="button"
                                class="button console-big console-pick"
                                data-testid="seating-pick"
                                data-trainee=trainee
                                aria-pressed=move || pressed().to_string()
                                on:click=move |_| {
                                    let again = pressed();
                                    picked.set((!again).then(|| (trainee, name.clone())));
                                    id_error.set(None);
                                }
                            >
                                {label} " " <span class="seat-id">{masked}</span>
                            </button>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <p>"选择学员："</p>
                <ul class="console-picks">{buttons}</ul>
                <p class="field-hint">"或者输入身份证号："</p>
            }
        })
    };
    view! {
        <section class="card console-seating" aria-labelledby="seating-title">
            <h2 id="seating-title">"为学员签到"</h2>
            <p class="field-hint">"学员不会输入身份证号时：请输入该学员电脑屏幕上的 4 位座位码，再选择学员或输入其身份证号。"</p>
            <form on:submit=submit novalidate>
                <p id="seating-alert" class="form-alert" role="alert" tabindex="-1" hidden=move || alert.with(Option::is_none)>
                    {move || alert.get()}
                </p>
                <TextField
                    name="seat_code"
                    label="座位码（4 位数字）"
                    value=seat_code
                    error=code_error
                    inputmode="numeric"
                    autocomplete="off"
                />
                {picks}
                <TextField
                    name="seat_id_number"
                    label="身份证号"
                    value=id_number
                    error=id_error
                    autocomplete="off"
                />
                <button type="submit" class="button button-primary console-big" data-testid="seating-submit" disabled=move || busy.get()>
                    {move || if busy.get() { "正在签到……" } else { "为该学员签到" }}
                </button>
            </form>
            <p class="notice notice-ok" role="status" data-testid="seating-done" hidden=move || done.with(Option::is_none)>
                {move || done.get()}
            </p>
        </section>
    }
}
