//! A seated person's screens: the session's course with its lessons, and a lesson in the
//! player of online study (`crate::study`), whose heartbeats go through the same routes with
//! the seat's credential. Both ask every [`super::WATCH_SECS`] whether the seat still holds.

use super::practice::{listen, PracticeOffer};
use super::{leave, room_code, watch_seat, Bye, RoomTitle};
use crate::components::load::{load_into, Fill};
use crate::components::title::set_page_title;
use crate::group_time::duration;
use crate::study::player::{Place, Player};
use leptos::prelude::*;
use leptos::Params;
use leptos_router::components::A;
use leptos_router::hooks::use_params;
use leptos_router::params::Params;
use qinxue_core::group::{RoomInfo, SeatLesson, SeatSession};
use qinxue_core::ledger::LessonKind;
use std::rc::Rc;

/// The 签退 button: the person leaves, and the terminal is cleared for the next.
#[component]
fn SignOutButton(code: String) -> impl IntoView {
    view! {
        <button
            type="button"
            class="button room-sign-out"
            data-testid="seat-sign-out"
            on:click=move |_| leave(code.clone(), Bye::SignedOut)
        >
            "签退（离开）"
        </button>
    }
}

/// The header of a seated person's pages other than the room's first: the brand and 签退.
#[component]
pub fn SeatHeader(code: String) -> impl IntoView {
    view! {
        <header class="site-header room-header">
            <div class="container header-bar">
                <span class="brand">
                    <span class="brand-name">"勤学"</span>
                    <span class="brand-subtitle">"集中学习"</span>
                </span>
                <SignOutButton code />
            </div>
        </header>
    }
}

/// Who sits here, what they have earned in this session, and the lessons to open.
#[component]
pub fn SeatHome(info: RoomInfo, seat: SeatSession) -> impl IntoView {
    let code = info.code.clone();
    let seat = RwSignal::new(seat);
    watch_seat(code.clone(), move |s| seat.set(s));
    let pushed = RwSignal::new(None);
    listen(code.clone(), pushed);
    let lessons = move || {
        let code = code.clone();
        seat.with(|s| {
            s.lessons
                .iter()
                .map(|l| lesson_item(&code, l))
                .collect_view()
        })
    };
    view! {
        <RoomTitle info=info.clone() />
        <section class="card room-seated">
            <p class="room-hello" data-testid="seat-name">
                {move || seat.with(|s| format!("您好，{}", s.name))}
            </p>
            <p data-testid="seat-credited">
                {move || seat.with(|s| format!("本场已计学时时间：{}", duration(s.credited_secs)))}
            </p>
            <p class="field-hint">"请点下面的一节课开始学习。离开时请点“签退”，下一位学员才能使用这台电脑。"</p>
            <SignOutButton code=info.code.clone() />
        </section>
        <PracticeOffer code=info.code.clone() pushed />
        <h2>{move || seat.with(|s| s.course_title.clone())}</h2>
        <ul class="room-lessons">{lessons}</ul>
    }
}

fn lesson_item(code: &str, l: &SeatLesson) -> impl IntoView {
    let kind = match l.kind {
        LessonKind::Video => "视频",
        LessonKind::Text => "图文",
        LessonKind::Practice => "练习",
    };
    let done = l.credited_secs >= l.duration_secs;
    let href = format!("/room/{code}/lessons/{}", l.id);
    let title = l.title.clone();
    let meta = format!(
        "{kind} · 共 {} · 已学 {}{}",
        duration(l.duration_secs),
        duration(l.credited_secs.min(l.duration_secs)),
        if done { " · 已学完" } else { "" },
    );
    view! {
        <li>
            <A href=href attr:class="button room-lesson" attr:data-testid="seat-lesson">
                <span class="room-lesson-title">{title}</span>
                <span class="room-lesson-meta">{meta}</span>
            </A>
        </li>
    }
}

#[derive(Params, Debug, Clone, PartialEq)]
struct LessonParams {
    id: Option<i64>,
}

/// A lesson at `/room/<code>/lessons/<id>`, with the person's name and 签退 above it.
#[component]
pub fn SeatLessonPage() -> impl IntoView {
    let code = room_code();
    let params = use_params::<LessonParams>();
    let name = RwSignal::new(String::new());
    move || {
        let code = code.get();
        let id = params
            .with(|p| p.as_ref().ok().and_then(|p| p.id))
            .unwrap_or(0);
        watch_seat(code.clone(), move |s| name.set(s.name));
        let back = format!("/room/{code}");
        let seat_code = code.clone();
        let fill: Fill = Rc::new(move |page| {
            let (code, back) = (seat_code.clone(), back.clone());
            Box::pin(async move {
                let seat = match super::api::seat(&code).await {
                    Ok(seat) => seat,
                    Err(e) => {
                        if let Some(why) = Bye::of(e.code()) {
                            leave(code, why);
                        }
                        return Err(e);
                    }
                };
                name.set(seat.name);
                let lesson = crate::api::lesson(id).await?;
                set_page_title(&lesson.title);
                let player = Player::new(
                    &lesson,
                    Place::Seat {
                        back: &back,
                        label: "返回课程列表",
                    },
                );
                let _ = page.append_child(&player.screen.root);
                player.run();
                Ok(())
            })
        });
        let pushed = RwSignal::new(None);
        listen(code.clone(), pushed);
        view! {
            <header class="site-header room-header">
                <div class="container header-bar">
                    <span class="brand">
                        <span class="brand-name">"勤学"</span>
                        <span class="brand-subtitle">"集中学习"</span>
                    </span>
                    <span class="room-who" data-testid="seat-name">{move || name.get()}</span>
                    <SignOutButton code=code.clone() />
                </div>
            </header>
            <main id="main" class="container room" tabindex="-1">
                <PracticeOffer code=code.clone() pushed />
                {load_into(fill)}
            </main>
        }
    }
}
