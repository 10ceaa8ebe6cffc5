//! Guided practice on the console (DESIGN.md §8): the proctor pushes a practice set of the
//! session's course to every seat (`POST /api/group-sessions/{id}/practice`), sees per question
//! how many answered, right and wrong (live: the tally is part of the pushed view), and records
//! an answer a person gave on paper (`POST …/practice/{practice_id}/answers`).

use crate::admin::group_api;
use leptos::prelude::*;
use leptos::task::spawn_local;
use qinxue_core::group::{GroupSessionView, PaperAnswer, SeatState};

/// The push button, the live tally, and the paper answer form.
#[component]
pub fn PracticePanel(view: RwSignal<Option<GroupSessionView>>, id: i64) -> impl IntoView {
    let busy = RwSignal::new(false);
    let alert = RwSignal::new(None::<String>);
    let recorded = RwSignal::new(None::<String>);
    let push = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        alert.set(None);
        spawn_local(async move {
            match group_api::push_practice(id).await {
                Ok(v) => view.set(Some(v)),
                Err(e) => alert.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    let practice = Memo::new(move |_| view.with(|v| v.as_ref().and_then(|v| v.practice.clone())));
    let tally = move || {
        practice.get().map(|p| {
            let rows = p
                .questions
                .iter()
                .enumerate()
                .map(|(n, q)| {
                    view! {
                        <tr data-testid="tally-row" data-question=q.question_id data-answered=q.answered data-right=q.right data-wrong=q.wrong>
                            <th scope="row">{format!("{}. {}", n + 1, q.stem)}</th>
                            <td>{q.answered}</td>
                            <td>{q.right}</td>
                            <td>{q.wrong}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <table class="table console-tally">
                    <caption>"各题作答情况（实时）"</caption>
                    <thead><tr><th scope="col">"题目"</th><th scope="col">"已答"</th><th scope="col">"答对"</th><th scope="col">"答错"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }
        })
    };
    // The paper answer: who, which question, which options (as 1-based letters typed).
    let person = RwSignal::new(String::new());
    let question = RwSignal::new(String::new());
    let choice = RwSignal::new(String::new());
    // Memos, so that the form is drawn again only when the people or the set change, not at
    // every answer of the room.
    let people = Memo::new(move |_| {
        view.with(|v| {
            v.as_ref().map_or_else(Vec::new, |v| {
                v.seats
                    .iter()
                    .filter(|s| s.state != SeatState::Left)
                    .map(|s| (s.trainee_id, s.name.clone()))
                    .collect::<Vec<_>>()
            })
        })
    });
    let set = Memo::new(move |_| {
        practice.with(|p| {
            p.as_ref().map(|p| {
                (
                    p.id,
                    p.questions
                        .iter()
                        .map(|q| q.question_id)
                        .collect::<Vec<_>>(),
                )
            })
        })
    });
    let record = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        recorded.set(None);
        alert.set(None);
        let Some((practice_id, _)) = set.get_untracked() else {
            return;
        };
        let (Ok(trainee), Ok(question_id)) = (
            person.get_untracked().parse::<i64>(),
            question.get_untracked().parse::<i64>(),
        ) else {
            alert.set(Some("请选择学员和题目".to_owned()));
            return;
        };
        let chosen: Vec<usize> = choice
            .get_untracked()
            .to_uppercase()
            .chars()
            .filter(char::is_ascii_uppercase)
            .map(|c| usize::from(c as u8 - b'A'))
            .collect();
        if chosen.is_empty() {
            alert.set(Some("请填写学员在纸上选的答案，例如 A 或 AC".to_owned()));
            return;
        }
        let answer = PaperAnswer {
            trainee_id: Some(trainee),
            id_number: None,
            question_id,
            chosen,
        };
        busy.set(true);
        spawn_local(async move {
            match group_api::paper_answer(id, practice_id, &answer).await {
                Ok(g) => {
                    recorded.set(Some(if g.correct {
                        "已记录：答对".to_owned()
                    } else {
                        "已记录：答错".to_owned()
                    }));
                    choice.set(String::new());
                    if let Ok(v) = group_api::get(id).await {
                        view.set(Some(v));
                    }
                }
                Err(e) => alert.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    let paper = move || {
        set.get().map(|(_, ids)| {
            let questions = ids
                .into_iter()
                .enumerate()
                .map(|(n, q)| view! { <option value=q.to_string()>{format!("第 {} 题", n + 1)}</option> })
                .collect_view();
            let people = people
                .get()
                .into_iter()
                .map(|(trainee, name)| view! { <option value=trainee.to_string()>{name}</option> })
                .collect_view();
            view! {
                <form class="console-paper" on:submit=record novalidate>
                    <h3>"记录纸上的答案"</h3>
                    <div class="field">
                        <label for="paper-person">"学员"</label>
                        <select id="paper-person" bind:value=person>
                            <option value="">"请选择"</option>
                            {people}
                        </select>
                    </div>
                    <div class="field">
                        <label for="paper-question">"题目"</label>
                        <select id="paper-question" bind:value=question>
                            <option value="">"请选择"</option>
                            {questions}
                        </select>
                    </div>
                    <div class="field">
                        <label for="paper-choice">"所选答案（字母，如 A 或 AC）"</label>
                        <input id="paper-choice" autocomplete="off" bind:value=choice />
                    </div>
                    <button type="submit" class="button console-big" data-testid="paper-submit" disabled=move || busy.get()>"记录"</button>
                    <p class="notice notice-ok" role="status" data-testid="paper-recorded" hidden=move || recorded.with(Option::is_none)>
                        {move || recorded.get()}
                    </p>
                </form>
            }
        })
    };
    view! {
        <section class="card console-practice" aria-labelledby="practice-title">
            <h2 id="practice-title">"随堂练习"</h2>
            <p class="field-hint">"把本课程的练习题发到每个座位；下面实时显示每道题的作答情况。"</p>
            <p class="form-alert" role="alert" hidden=move || alert.with(Option::is_none)>{move || alert.get()}</p>
            <button type="button" class="button button-primary console-big" data-testid="practice-push" disabled=move || busy.get() on:click=push>
                {move || if practice.with(Option::is_some) { "重新发布练习" } else { "发布练习到所有座位" }}
            </button>
            {tally}
            {paper}
        </section>
    }
}
