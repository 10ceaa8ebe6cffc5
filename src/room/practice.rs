//! Guided practice at a seat (DESIGN.md §8): the proctor pushes a practice set of the course
//! to every seat, which hears of it on its event stream (`GET /api/rooms/{code}/events`,
//! `practice`) and offers it; the questions are then shown one under another in large type,
//! each answered by a touch and graded at once, and the console's tally moves.
//!
//! The same stream says when the seat ended (`ended`): the terminal is then cleared at once
//! instead of at the next [`super::WATCH_SECS`] ask.

use super::{api, leave, room_code, Bye};
use crate::components::title::set_page_title;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use qinxue_core::catalogue::QuestionKind;
use qinxue_core::practice::{AnswerQuestion, Attempt, GradedAnswer, PracticeQuestion};
use qinxue_core::ErrorCode;
use send_wrapper::SendWrapper;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};

#[derive(serde::Deserialize)]
struct Pushed {
    id: i64,
}

#[derive(serde::Deserialize)]
struct Ended {
    code: ErrorCode,
}

/// Listens to the seat's events while the page is shown: `pushed` gets the id of each
/// practice set pushed (the current one first), and an `ended` seat leaves the terminal.
pub fn listen(code: String, pushed: RwSignal<Option<i64>>) {
    let Ok(source) = EventSource::new(&format!("/api/rooms/{code}/events")) else {
        return;
    };
    let on_practice = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let data = e.data().as_string().unwrap_or_default();
        if let Ok(p) = serde_json::from_str::<Pushed>(&data) {
            pushed.set(Some(p.id));
        }
    });
    let on_ended = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let data = e.data().as_string().unwrap_or_default();
        let why = serde_json::from_str::<Ended>(&data)
            .ok()
            .and_then(|end| Bye::of(Some(end.code)))
            .unwrap_or(Bye::Ended);
        leave(code.clone(), why);
    });
    let _ =
        source.add_event_listener_with_callback("practice", on_practice.as_ref().unchecked_ref());
    let _ = source.add_event_listener_with_callback("ended", on_ended.as_ref().unchecked_ref());
    let kept = SendWrapper::new((source, on_practice, on_ended));
    on_cleanup(move || {
        let (source, _, _) = kept.take();
        source.close();
    });
}

/// The offer of the pushed practice set, once there is one.
#[component]
pub fn PracticeOffer(code: String, pushed: RwSignal<Option<i64>>) -> impl IntoView {
    let href = format!("/room/{code}/practice");
    move || {
        pushed.get().map(|_| {
            view! {
                <p class="notice notice-warn room-practice-offer" role="status">
                    "监考员发布了练习题。"
                    <A href=href.clone() attr:class="button button-primary room-go" attr:data-testid="seat-practice-open">
                        "开始做练习"
                    </A>
                </p>
            }
        })
    }
}

/// The practice set at `/room/<code>/practice`: every question, large, answered by touch.
#[component]
pub fn SeatPracticePage() -> impl IntoView {
    let code = room_code();
    let attempt = RwSignal::new(None::<Result<Attempt, String>>);
    set_page_title("练习");
    move || {
        let code = code.get();
        super::watch_seat(code.clone(), |_| {});
        let load = code.clone();
        spawn_local(async move {
            match api::practice(&load).await {
                Ok(a) => attempt.set(Some(Ok(a))),
                Err(e) => {
                    if let Some(why) = Bye::of(e.code()) {
                        leave(load, why);
                    }
                    attempt.set(Some(Err(e.message())));
                }
            }
        });
        let questions = {
            let code = code.clone();
            move || match attempt.get() {
                None => {
                    view! { <p class="loading" role="status">"正在加载，请稍候……"</p> }.into_any()
                }
                Some(Err(message)) => {
                    view! { <p class="notice notice-error" role="alert">{message}</p> }.into_any()
                }
                Some(Ok(a)) => {
                    let items = a
                        .questions
                        .into_iter()
                        .map(|q| {
                            let done = a.answers.iter().find(|g| g.question_id == q.id).cloned();
                            view! { <li><Question code=code.clone() q done /></li> }
                        })
                        .collect_view();
                    view! { <ol class="room-questions">{items}</ol> }.into_any()
                }
            }
        };
        let back = format!("/room/{code}");
        view! {
            <super::seat::SeatHeader code=code.clone() />
            <main id="main" class="container room" tabindex="-1">
                <h1>"练习"</h1>
                <p class="field-hint">"请点选答案，点了就会告诉您对不对。做完后点“返回课程列表”。"</p>
                {questions}
                <p><A href=back attr:class="button room-go">"返回课程列表"</A></p>
            </main>
        }
    }
}

/// One question: its options as large buttons (several may be chosen in a multiple-choice
/// question, then 提交), and the verdict once answered.
#[component]
fn Question(code: String, q: PracticeQuestion, done: Option<GradedAnswer>) -> impl IntoView {
    let graded = RwSignal::new(done);
    let chosen = RwSignal::new(Vec::<usize>::new());
    let alert = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let multiple = q.kind == QuestionKind::Multiple;
    let question_id = q.id;
    let send = move |picked: Vec<usize>| {
        if busy.get_untracked() || graded.with_untracked(Option::is_some) || picked.is_empty() {
            return;
        }
        busy.set(true);
        alert.set(None);
        let code = code.clone();
        spawn_local(async move {
            let request = AnswerQuestion {
                question_id,
                chosen: picked,
            };
            match api::answer(&code, &request).await {
                Ok(g) => graded.set(Some(g)),
                Err(e) => alert.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    let send = StoredValue::new_local(send);
    let options = q
        .options
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let label = format!("{}. {text}", char::from(b'A' + (i % 26) as u8));
            let pressed = move || {
                graded
                    .with(|g| g.as_ref().map(|g| g.chosen.contains(&i)))
                    .unwrap_or_else(|| chosen.with(|c| c.contains(&i)))
            };
            view! {
                <li>
                    <button
                        type="button"
                        class="button room-option"
                        data-testid="practice-option"
                        aria-pressed=move || pressed().to_string()
                        disabled=move || busy.get() || graded.with(Option::is_some)
                        on:click=move |_| {
                            if multiple {
                                chosen.update(|c| match c.iter().position(|&x| x == i) {
                                    Some(at) => drop(c.remove(at)),
                                    None => c.push(i),
                                });
                            } else {
                                send.with_value(|s| s(vec![i]));
                            }
                        }
                    >
                        {label}
                    </button>
                </li>
            }
        })
        .collect_view();
    let submit = multiple.then(|| {
        view! {
            <button
                type="button"
                class="button button-primary room-go"
                data-testid="practice-submit"
                hidden=move || graded.with(Option::is_some)
                disabled=move || busy.get() || chosen.with(Vec::is_empty)
                on:click=move |_| {
                    let mut picked = chosen.get_untracked();
                    picked.sort_unstable();
                    send.with_value(|s| s(picked));
                }
            >
                "提交（多选）"
            </button>
        }
    });
    let verdict =
        move || {
            graded.get().map(|g| {
            let (class, text) = if g.correct {
                ("notice notice-ok", "答对了".to_owned())
            } else {
                let right: Vec<String> = g
                    .answer
                    .iter()
                    .map(|&i| char::from(b'A' + (i % 26) as u8).to_string())
                    .collect();
                ("notice notice-error", format!("答错了，正确答案是 {}", right.join("、")))
            };
            view! {
                <div class=class role="status" data-testid="practice-verdict">
                    <p>{text}</p>
                    {(!g.explanation.is_empty()).then(|| view! { <p>{g.explanation.clone()}</p> })}
                </div>
            }
        })
        };
    view! {
        <section class="card room-question" data-testid="practice-question" data-question=question_id>
            <p class="room-stem">{q.stem.clone()}</p>
            <ul class="room-options">{options}</ul>
            {submit}
            <p class="form-alert" role="alert" hidden=move || alert.with(Option::is_none)>{move || alert.get()}</p>
            {verdict}
        </section>
    }
}
