//! The console of a lecture (集中学习, format `lecture`): one device plays the lesson on the
//! projector, and the proctor marks who is present at each roll call (the opening one, those
//! the server prompts for at random, the closing one). Each present attendee is credited the
//! time between two roll calls they were marked present at (DESIGN.md §8), so the console
//! lists them with 在场 / 缺席 while a roll call takes marks, and names anyone else by 身份证号.

use crate::admin::group_api;
use crate::components::field::TextField;
use crate::group_time::duration;
use leptos::prelude::*;
use leptos::task::spawn_local;
use qinxue_core::api::LessonSummary;
use qinxue_core::group::{GroupSessionView, LectureAttendee, LectureLesson, PresenceMark};
use qinxue_core::IdNumber;

/// The lesson played, the prompt of a running roll call, and the attendees with their marks.
/// `roll`: the running roll call's id and seconds left, if one takes marks.
#[component]
pub fn LecturePanel(
    view: RwSignal<Option<GroupSessionView>>,
    id: i64,
    roll: Signal<Option<(i64, bool, i64)>>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let alert = RwSignal::new(None::<String>);
    let mark = move |request: PresenceMark, done: Option<RwSignal<String>>| {
        let Some((roll_call, _, _)) = roll.get_untracked() else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        alert.set(None);
        spawn_local(async move {
            match group_api::presence(id, roll_call, &request).await {
                Ok(v) => {
                    view.set(Some(v));
                    if let Some(field) = done {
                        field.set(String::new());
                    }
                }
                Err(e) => alert.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    let playing = move || {
        view.with(|v| {
            v.as_ref()
                .and_then(|v| v.lecture.as_ref())
                .and_then(|l| l.lesson_id)
        })
    };
    // The course's lessons, for the proctor to say which one the projector plays: each person
    // present is credited at most that lesson's length (DESIGN.md §8).
    let lessons = RwSignal::new(Vec::<LessonSummary>::new());
    let course_id = view.with_untracked(|v| v.as_ref().map(|v| v.course_id));
    spawn_local(async move {
        if let Ok(courses) = crate::api::courses("").await {
            let found = courses.into_iter().find(|c| Some(c.id) == course_id);
            lessons.set(found.map(|c| c.lessons).unwrap_or_default());
        }
    });
    let choose = move |ev: leptos::ev::Event| {
        let Ok(lesson_id) = event_target_value(&ev).parse::<i64>() else {
            return;
        };
        if busy.get_untracked() || playing() == Some(lesson_id) {
            return;
        }
        busy.set(true);
        alert.set(None);
        spawn_local(async move {
            match group_api::set_lecture(id, &LectureLesson { lesson_id }).await {
                Ok(v) => view.set(Some(v)),
                Err(e) => alert.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    let options = move || {
        let now = playing();
        lessons
            .get()
            .into_iter()
            .map(|l| {
                view! {
                    <option value=l.id.to_string() selected=Some(l.id) == now>
                        {format!("{}（{}）", l.title, duration(l.duration_secs))}
                    </option>
                }
            })
            .collect_view()
    };
    let prompt = move || match roll.get() {
        Some((_, by_server, secs)) => {
            let who = if by_server {
                "系统提示：现在请点名。"
            } else {
                "点名进行中。"
            };
            view! {
                <p class="notice notice-warn console-prompt" role="status" data-testid="lecture-prompt">
                    {format!("{who}请逐一标记在场或缺席，还剩 {}。", duration(secs))}
                </p>
            }
            .into_any()
        }
        None => view! {
            <p class="field-hint">
                "开始时、系统提示时和结束前各点名一次：每位在场的学员计入两次点名之间的学时。"
            </p>
        }
        .into_any(),
    };
    // Not `roll` itself, which ticks every second: the list is drawn again only when marking
    // starts or stops, so that a tap never lands on a button being replaced.
    let marking = Memo::new(move |_| roll.get().is_some());
    let attendees = move || {
        let people: Vec<LectureAttendee> = view.with(|v| {
            v.as_ref()
                .and_then(|v| v.lecture.as_ref())
                .map(|l| l.attendees.clone())
                .unwrap_or_default()
        });
        if people.is_empty() {
            return view! { <p>"还没有学员。点名时可按身份证号标记在场的学员。"</p> }.into_any();
        }
        let marking = marking.get();
        view! {
            <ul class="lecture-list">
                {people.into_iter().map(|a| attendee(a, marking, busy, mark)).collect_view()}
            </ul>
        }
        .into_any()
    };
    let id_number = RwSignal::new(String::new());
    let id_error = RwSignal::new(None::<String>);
    let by_id = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = id_number.get_untracked().trim().to_uppercase();
        let wrong = IdNumber::parse(&typed, crate::clock::today_in_shanghai())
            .err()
            .map(|e| e.to_string());
        id_error.set(wrong.clone());
        if wrong.is_none() {
            let request = PresenceMark {
                trainee_id: None,
                id_number: Some(typed),
                present: true,
            };
            mark(request, Some(id_number));
        }
    };
    view! {
        <section class="card console-lecture" aria-labelledby="lecture-title">
            <h2 id="lecture-title">"现场听课"</h2>
            <label class="field" for="lecture-lesson">"投影播放的课"</label>
            <select
                id="lecture-lesson"
                class="console-big"
                data-testid="lecture-lesson"
                on:change=choose
                disabled=move || busy.get()
            >
                <option value="" disabled selected=move || playing().is_none()>"请选择要播放的课"</option>
                {options}
            </select>
            {prompt}
            <p class="form-alert" role="alert" hidden=move || alert.with(Option::is_none)>{move || alert.get()}</p>
            {attendees}
            <form class="lecture-by-id" on:submit=by_id novalidate hidden=move || !marking.get()>
                <TextField
                    name="lecture_id_number"
                    label="名单外的学员：身份证号"
                    value=id_number
                    error=id_error
                    autocomplete="off"
                />
                <button type="submit" class="button console-big" data-testid="lecture-mark-id" disabled=move || busy.get()>
                    "标记在场"
                </button>
            </form>
        </section>
    }
}

fn attendee(
    a: LectureAttendee,
    marking: bool,
    busy: RwSignal<bool>,
    mark: impl Fn(PresenceMark, Option<RwSignal<String>>) + Copy + 'static,
) -> impl IntoView {
    let (state, class) = match a.present {
        Some(true) => ("本次：在场", "seat-mark-answered"),
        Some(false) => ("本次：缺席", "seat-mark-missed"),
        None => ("本次：未标记", "seat-mark-pending"),
    };
    let trainee = a.trainee_id;
    let buttons = (marking && a.present.is_none()).then(|| {
        let set = move |present| {
            mark(
                PresenceMark {
                    trainee_id: Some(trainee),
                    id_number: None,
                    present,
                },
                None,
            )
        };
        view! {
            <p class="actions">
                <button type="button" class="button button-primary console-big" data-testid="mark-present" disabled=move || busy.get() on:click=move |_| set(true)>
                    "在场"
                </button>
                <button type="button" class="button console-big" data-testid="mark-absent" disabled=move || busy.get() on:click=move |_| set(false)>
                    "缺席"
                </button>
            </p>
        }
    });
    view! {
        <li class="seat" data-testid="attendee" data-trainee=trainee data-secs=a.credited_secs>
            <p class="seat-name">{a.name.clone()}</p>
            <p class="seat-id">{a.id_number.clone()}</p>
            <p class=format!("seat-mark {class}")>{state}</p>
            <p class="seat-credited">{format!("在场 {} 次 · 本场已计 {}", a.present_count, duration(a.credited_secs))}</p>
            {buttons}
        </li>
    }
}
