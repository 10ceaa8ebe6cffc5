//! The proctor's console at `/admin/group-sessions/:id/console`, made for a 10-inch tablet in
//! either orientation: the PIN shown large (and a new one on request), the live grid of seats
//! with problems first and a "hide healthy" switch, roll calls and ticks, and closing.
//!
//! The grid is pushed by the server (`GET /api/group-sessions/{id}/events`, server-sent
//! events): a `snapshot` replaces everything, a `seat` replaces one seat, a `ping` says the
//! stream is alive when nothing changed. The browser's `EventSource` reconnects by itself, and
//! every new stream starts with a snapshot, so a reconnect is a full resync; a stream that
//! the browser gave up on, or that went silent (a half-open connection on flaky Wi-Fi), is
//! replaced by a new one here. A grid that is not known to be current says since when it is
//! not: the tablet never passes a stale grid off as live.

use crate::admin::console_lecture::LecturePanel;
use crate::admin::console_practice::PracticePanel;
use crate::admin::console_seating::SeatSomeone;
use crate::admin::group_api;
use crate::admin::group_detail::AttendanceTable;
use crate::admin::group_sessions::{session_id, session_url, status_badge, TITLE};
use crate::admin::tools::BASE;
use crate::components::title::set_page_title;
use crate::group_time::{clock_hms, duration, span};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use qinxue_core::group::{
    is_healthy, GroupFormat, GroupSessionView, GroupStatus, RollCallMark, SeatState, SeatView,
};
use send_wrapper::SendWrapper;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::js_sys::Date;
use web_sys::{EventSource, MessageEvent};

/// The server pings every 5 s when nothing changes: a stream silent for longer than this is
/// shown as not current.
const STALE_MS: f64 = 12_000.0;
/// A stream silent for this long is given up and replaced (the browser may not notice a
/// connection that died without closing).
const REPLACE_MS: f64 = 20_000.0;
/// Wait before a new stream after the browser closed one for good.
const RETRY_MS: u64 = 3_000;

/// What the console knows, shared by the stream's handlers and the page.
#[derive(Clone, Copy)]
struct Live {
    view: RwSignal<Option<GroupSessionView>>,
    /// When the last event came, in the tablet's clock (ms); 0 before any.
    heard_ms: RwSignal<f64>,
    /// The stream is open (its last event was not an error).
    connected: RwSignal<bool>,
    /// The server's clock minus the tablet's (ms), from the last snapshot or ping.
    offset_ms: RwSignal<f64>,
    /// Ticks every second, so that silences and countdowns move.
    now_ms: RwSignal<f64>,
}

impl Live {
    fn heard(&self, server_now: Option<chrono::DateTime<chrono::Utc>>) {
        let now = Date::now();
        self.heard_ms.set(now);
        self.connected.set(true);
        if let Some(at) = server_now {
            self.offset_ms.set(at.timestamp_millis() as f64 - now);
        }
    }

    /// The server's now, as well as the tablet can tell (ms).
    fn server_now_ms(&self) -> f64 {
        self.now_ms.get() + self.offset_ms.get()
    }

    fn stale(&self) -> bool {
        !self.connected.get() || self.now_ms.get() - self.heard_ms.get() > STALE_MS
    }

    fn snapshot(&self, v: GroupSessionView) {
        self.heard(Some(v.now));
        self.view.set(Some(v));
    }

    fn seat(&self, seat: SeatView) {
        self.heard(None);
        self.view.update(|v| {
            if let Some(v) = v {
                match v.seats.iter_mut().find(|s| s.trainee_id == seat.trainee_id) {
                    Some(s) => *s = seat,
                    None => v.seats.push(seat),
                }
                sort(&mut v.seats);
            }
        });
    }
}

/// Problems first, then by name, as the server orders a snapshot.
fn sort(seats: &mut [SeatView]) {
    seats.sort_by(|a, b| {
        (a.trouble_rank(), &a.name, a.trainee_id).cmp(&(b.trouble_rank(), &b.name, b.trainee_id))
    });
}

/// A handler of the stream's events, kept alive as long as the stream.
type Handler = Closure<dyn FnMut(MessageEvent)>;

/// The event stream and its handlers, kept alive while the page is shown.
struct Stream {
    url: String,
    live: Live,
    source: RefCell<Option<EventSource>>,
    handlers: RefCell<Vec<Handler>>,
    /// The page is gone: no new stream.
    ended: Cell<bool>,
}

impl Stream {
    fn connect(self: &Rc<Self>) {
        self.close();
        if self.ended.get() {
            return;
        }
        let Ok(source) = EventSource::new(&self.url) else {
            self.retry();
            return;
        };
        let live = self.live;
        let mut handlers = Vec::new();
        let mut on = |event: &str, f: Box<dyn FnMut(MessageEvent)>| {
            let closure = Handler::new(f);
            let _ =
                source.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
            handlers.push(closure);
        };
        on(
            "snapshot",
            Box::new(move |e: MessageEvent| {
                if let Some(v) = data::<GroupSessionView>(&e) {
                    live.snapshot(v);
                }
            }),
        );
        on(
            "seat",
            Box::new(move |e: MessageEvent| {
                if let Some(s) = data::<SeatView>(&e) {
                    live.seat(s);
                }
            }),
        );
        on(
            "ping",
            Box::new(move |e: MessageEvent| {
                let now = data::<Ping>(&e).map(|p| p.now);
                live.heard(now);
            }),
        );
        let this = Rc::clone(self);
        on(
            "error",
            Box::new(move |_| {
                live.connected.set(false);
                // CLOSED: the browser will not try again (an error status); CONNECTING: it does.
                let closed = this
                    .source
                    .borrow()
                    .as_ref()
                    .is_some_and(|s| s.ready_state() == EventSource::CLOSED);
                if closed {
                    this.retry();
                }
            }),
        );
        *self.source.borrow_mut() = Some(source);
        *self.handlers.borrow_mut() = handlers;
    }

    fn retry(self: &Rc<Self>) {
        let this = Rc::clone(self);
        set_timeout(move || this.connect(), Duration::from_millis(RETRY_MS));
    }

    fn close(&self) {
        if let Some(source) = self.source.borrow_mut().take() {
            source.close();
        }
        self.handlers.borrow_mut().clear();
    }
}

#[derive(serde::Deserialize)]
struct Ping {
    now: chrono::DateTime<chrono::Utc>,
}

fn data<T: serde::de::DeserializeOwned>(e: &MessageEvent) -> Option<T> {
    let text = e.data().as_string()?;
    serde_json::from_str(&text)
        .map_err(|err| leptos::logging::warn!("console: unexpected event ({err}): {text:.200}"))
        .ok()
}

/// The page at `/admin/group-sessions/:id/console`.
#[component]
pub fn ConsolePage() -> impl IntoView {
    set_page_title("监考控制台");
    let id = session_id();
    let live = Live {
        view: RwSignal::new(None),
        heard_ms: RwSignal::new(0.0),
        connected: RwSignal::new(false),
        offset_ms: RwSignal::new(0.0),
        now_ms: RwSignal::new(Date::now()),
    };
    let failed = RwSignal::new(None::<String>);
    // The first view by a plain request, so that a session not yet open shows at once and a
    // refusal (not the proctor's) is said in words; the stream follows.
    spawn_local(async move {
        match group_api::get(id.get_untracked()).await {
            Ok(v) => {
                if live.view.with_untracked(Option::is_none) {
                    live.snapshot(v);
                }
            }
            Err(e) => failed.set(Some(e.message())),
        }
    });
    let stream = Rc::new(Stream {
        url: format!("/api/group-sessions/{}/events", id.get_untracked()),
        live,
        source: RefCell::new(None),
        handlers: RefCell::new(Vec::new()),
        ended: Cell::new(false),
    });
    stream.connect();
    let watchdog = Rc::clone(&stream);
    let ticker = SendWrapper::new(move || {
        let now = Date::now();
        live.now_ms.set(now);
        let over = live.view.with_untracked(|v| {
            v.as_ref()
                .is_some_and(|v| matches!(v.status, GroupStatus::Closed | GroupStatus::Cancelled))
        });
        if over {
            watchdog.ended.set(true);
            watchdog.close();
        } else if live.heard_ms.get_untracked() > 0.0
            && now - live.heard_ms.get_untracked() > REPLACE_MS
        {
            live.heard_ms.set(now - STALE_MS - 1.0);
            watchdog.connect();
        }
    });
    let handle = set_interval_with_handle(move || (*ticker)(), Duration::from_secs(1));
    let stream = SendWrapper::new(stream);
    // A memo, not the view itself: the console is drawn once, not again at every event (which
    // dropped its switches, the closing question and the forms' state).
    let loaded = Memo::new(move |_| live.view.with(Option::is_some));
    on_cleanup(move || {
        if let Ok(handle) = handle {
            handle.clear();
        }
        stream.ended.set(true);
        stream.close();
    });
    view! {
        <p class="breadcrumb">
            <A href=format!("{BASE}/group-sessions")>{TITLE}</A>
            " › 监考控制台"
        </p>
        {move || match (failed.get(), loaded.get()) {
            (Some(message), false) => view! { <p class="form-alert" role="alert">{message}</p> }.into_any(),
            (_, false) => view! { <p class="loading" role="status">"正在加载…"</p> }.into_any(),
            (_, true) => view! { <Console live /> }.into_any(),
        }}
    }
}

/// Runs one of the proctor's actions; its answer (the session) replaces the view.
fn act(
    live: Live,
    busy: RwSignal<bool>,
    alert: RwSignal<Option<String>>,
    run: impl std::future::Future<Output = Result<Option<GroupSessionView>, crate::api::ApiError>>
        + 'static,
) {
    if busy.get_untracked() {
        return;
    }
    busy.set(true);
    alert.set(None);
    spawn_local(async move {
        match run.await {
            Ok(Some(v)) => live.view.set(Some(v)),
            Ok(None) => {}
            Err(e) => alert.set(Some(e.message())),
        }
        busy.set(false);
    });
}

#[component]
fn Console(live: Live) -> impl IntoView {
    let busy = RwSignal::new(false);
    let alert = RwSignal::new(None::<String>);
    let hide_healthy = RwSignal::new(false);
    let closing = RwSignal::new(false);
    let v = move || live.view.get();
    let id = live.view.with_untracked(|v| v.as_ref().map_or(0, |v| v.id));
    let status = Memo::new(move |_| live.view.with(|v| v.as_ref().map(|v| v.status)));
    let open = move || status.get() == Some(GroupStatus::Open);
    let lecture = Memo::new(move |_| {
        live.view
            .with(|v| v.as_ref().is_some_and(|v| v.format == GroupFormat::Lecture))
    });
    // The roll call taking answers or marks: its id, whether the server started it, and the
    // seconds left.
    let running = Signal::derive(move || {
        live.view.with(|v| {
            let r = v.as_ref()?.roll_call.as_ref()?;
            let left = ((r.expires_at.timestamp_millis() as f64 - live.server_now_ms()) / 1000.0)
                .ceil() as i64;
            (left > 0).then_some((r.id, r.by_server, left))
        })
    });
    Effect::new(move || {
        if let Some(title) = live.view.with(|v| v.as_ref().map(|v| v.title.clone())) {
            set_page_title(&format!("监考控制台 · {title}"));
        }
    });

    let freshness = move || {
        if status
            .get()
            .is_some_and(|s| matches!(s, GroupStatus::Closed | GroupStatus::Cancelled))
        {
            return ().into_any();
        }
        if live.stale() {
            let since = live.heard_ms.get();
            let text = if since > 0.0 {
                let at = chrono::DateTime::from_timestamp_millis(since as i64).unwrap_or_default();
                format!(
                    "自 {} 起未更新，正在重新连接……下面的座位情况可能不是最新的。",
                    clock_hms(at)
                )
            } else {
                "正在连接……".to_owned()
            };
            view! { <p class="notice notice-warn console-stale" role="status" data-testid="console-stale">{text}</p> }.into_any()
        } else {
            view! { <p class="console-live" role="status" data-testid="console-live">"● 实时更新中"</p> }.into_any()
        }
    };

    let header = move || {
        v().map(|v| {
            view! {
                <h1>{v.title.clone()} " " {status_badge(v.status)}</h1>
                <p class="console-where">{format!("{} · {} · {}", v.room, v.course_title, span(v.starts_at, v.ends_at))}</p>
            }
        })
    };

    let pin_panel = move || {
        let v = v()?;
        Some(match v.status {
            GroupStatus::Scheduled => view! {
                <section class="card console-pin">
                    <p>"学员电脑打开 " <strong>{format!("/room/{}", v.code)}</strong> "。开始后显示签到码。"</p>
                    <button
                        type="button"
                        class="button button-primary console-big"
                        data-testid="console-open"
                        disabled=move || busy.get()
                        on:click=move |_| act(live, busy, alert, async move { group_api::act(id, "open").await.map(Some) })
                    >
                        "开始签到"
                    </button>
                </section>
            }
            .into_any(),
            GroupStatus::Open => view! {
                <section class="card console-pin" aria-labelledby="pin-label">
                    <p id="pin-label" class="console-pin-label">"签到码"</p>
                    <p class="console-pin-digits" data-testid="console-pin">{v.pin.clone().unwrap_or_default()}</p>
                    <p>"学员电脑打开 " <strong>{format!("/room/{}", v.code)}</strong> "，输入身份证号和签到码。"</p>
                    <button
                        type="button"
                        class="button console-big"
                        data-testid="console-new-pin"
                        disabled=move || busy.get()
                        on:click=move |_| act(live, busy, alert, async move { group_api::act(id, "pin").await.map(Some) })
                    >
                        "换一个"
                    </button>
                </section>
            }
            .into_any(),
            _ => ().into_any(),
        })
    };

    let counts = move || {
        v().filter(|v| v.status == GroupStatus::Open).map(|v| {
            let seated = v.seats.iter().filter(|s| s.state != SeatState::Left).count();
            let active = v.seats.iter().filter(|s| s.state == SeatState::Active).count();
            let trouble = v
                .seats
                .iter()
                .filter(|s| s.state != SeatState::Left && !is_healthy(s.state, s.roll_call))
                .count();
            view! {
                <dl class="facts console-counts">
                    <div><dt>"在座"</dt><dd data-testid="count-seated">{format!("{seated} / {}", v.capacity)}</dd></div>
                    <div><dt>"学习中"</dt><dd data-testid="count-active">{active}</dd></div>
                    <div><dt>"需要注意"</dt><dd data-testid="count-trouble">{trouble}</dd></div>
                </dl>
            }
        })
    };

    let start_roll_call = move || {
        act(live, busy, alert, async move {
            group_api::roll_call(id).await?;
            group_api::get(id).await.map(Some)
        })
    };
    let roll_call = move || {
        let v = v().filter(|v| v.status == GroupStatus::Open)?;
        let running = v
            .roll_call
            .as_ref()
            .filter(|r| (r.expires_at.timestamp_millis() as f64) > live.server_now_ms());
        let left = running.map(|r| {
            ((r.expires_at.timestamp_millis() as f64 - live.server_now_ms()) / 1000.0).ceil() as i64
        });
        Some(view! {
            <section class="card console-actions">
                {match left {
                    Some(secs) if !lecture.get() => view! {
                        <p class="notice notice-warn" role="status" data-testid="roll-call-running">
                            {format!("点名进行中，还剩 {secs} 秒。未在座位上点“我在”的人，可在下面点“到场”。")}
                        </p>
                    }
                    .into_any(),
                    // A lecture's prompt is in its panel, beside the marks.
                    _ => ().into_any(),
                }}
                <p class="actions">
                    <button
                        type="button"
                        class="button button-primary console-big"
                        data-testid="console-roll-call"
                        disabled=move || busy.get() || left.is_some()
                        on:click=move |_| start_roll_call()
                    >
                        "点名"
                    </button>
                    <label class="choice console-switch" hidden=lecture.get()>
                        <input
                            type="checkbox"
                            data-testid="hide-healthy"
                            prop:checked=move || hide_healthy.get()
                            on:change=move |ev| hide_healthy.set(event_target_checked(&ev))
                        />
                        "只看需要注意的座位"
                    </label>
                    <button
                        type="button"
                        class="button console-big"
                        data-testid="console-close"
                        hidden=move || closing.get()
                        on:click=move |_| closing.set(true)
                    >
                        "结束本场"
                    </button>
                </p>
                <div class="notice notice-warn" role="alertdialog" aria-labelledby="close-question" hidden=move || !closing.get()>
                    <p id="close-question">"结束后所有座位都会退出，考勤会保存，不能再签到。确定结束吗？"</p>
                    {move || (lecture.get() && left.is_none()).then(|| view! {
                        <p data-testid="close-roll-call-hint">
                            "讲座结束前应再点名一次：最后一次点名之后的时间不计入学时。"
                        </p>
                        <p class="actions">
                            <button
                                type="button"
                                class="button button-primary console-big"
                                data-testid="console-close-roll-call"
                                disabled=move || busy.get()
                                on:click=move |_| {
                                    closing.set(false);
                                    start_roll_call();
                                }
                            >
                                "先点名"
                            </button>
                        </p>
                    })}
                    <p class="actions">
                        <button
                            type="button"
                            class="button button-primary console-big"
                            data-testid="console-close-confirm"
                            disabled=move || busy.get()
                            on:click=move |_| {
                                closing.set(false);
                                act(live, busy, alert, async move { group_api::act(id, "close").await.map(Some) })
                            }
                        >
                            "确定结束"
                        </button>
                        <button type="button" class="button console-big" on:click=move |_| closing.set(false)>
                            "不结束"
                        </button>
                    </p>
                </div>
            </section>
        })
    };

    let grid = move || {
        let v = v().filter(|v| v.status == GroupStatus::Open && v.format == GroupFormat::Seats)?;
        let hide = hide_healthy.get();
        let roll = v
            .roll_call
            .as_ref()
            .filter(|r| (r.expires_at.timestamp_millis() as f64) > live.server_now_ms())
            .map(|r| r.id);
        let shown: Vec<SeatView> = v
            .seats
            .iter()
            .filter(|s| !hide || !is_healthy(s.state, s.roll_call))
            .cloned()
            .collect();
        let hidden = v.seats.len() - shown.len();
        let stale = live.stale();
        let empty = v
            .seats
            .is_empty()
            .then(|| view! { <p class="card">"还没有人签到。"</p> });
        let more = (hidden > 0).then(
            || view! { <p class="field-hint">{format!("另有 {hidden} 个座位正常，已隐藏。")}</p> },
        );
        let now = live.server_now_ms();
        Some(view! {
            {empty}
            <ul class="seat-grid" class:seat-grid-stale=stale data-testid="seat-grid">
                {shown.into_iter().map(|s| seat_card(s, now, roll, id, live, busy, alert)).collect_view()}
            </ul>
            {more}
        })
    };

    let attendance = move || {
        let v = v().filter(|v| v.status == GroupStatus::Closed)?;
        Some(view! {
            <p class="notice notice-ok" role="status" data-testid="console-closed">"本场已结束，所有座位已退出。"</p>
            <AttendanceTable title=v.title.clone() rows=v.attendance.clone().unwrap_or_default() />
            <p><A href=session_url(v.id, "") attr:class="button">"详情和考勤"</A></p>
        })
    };

    view! {
        <div class="console">
            {header}
            {freshness}
            <p class="form-alert" role="alert" hidden=move || alert.with(Option::is_none)>{move || alert.get()}</p>
            <div class="console-top">
                {pin_panel}
                {counts}
            </div>
            {roll_call}
            {move || {
                (open() && !lecture.get()).then(|| view! { <SeatSomeone view=live.view id /> })
            }}
            {move || {
                (open() && lecture.get()).then(|| view! { <LecturePanel view=live.view id roll=running /> })
            }}
            {move || {
                (open() && !lecture.get()).then(|| view! { <PracticePanel view=live.view id /> })
            }}
            {grid}
            {attendance}
        </div>
    }
}

fn seat_card(
    s: SeatView,
    server_now_ms: f64,
    roll: Option<i64>,
    id: i64,
    live: Live,
    busy: RwSignal<bool>,
    alert: RwSignal<Option<String>>,
) -> impl IntoView {
    let silent =
        ((server_now_ms - s.last_seen_at.timestamp_millis() as f64) / 1000.0).max(0.0) as i64;
    let state_line = match s.state {
        SeatState::Disconnected => format!("{} · {} 无响应", s.state.label(), duration(silent)),
        SeatState::Idle if silent >= 30 => {
            format!("{} · {} 无响应", s.state.label(), duration(silent))
        }
        _ => s.state.label().to_owned(),
    };
    let mark = s.roll_call.map(|m| match m {
        RollCallMark::Pending => ("点名：待确认", "seat-mark-pending"),
        RollCallMark::Answered => ("点名：已到", "seat-mark-answered"),
        RollCallMark::Missed => ("点名：未应答", "seat-mark-missed"),
    });
    let tick = (s.roll_call == Some(RollCallMark::Pending) && s.state != SeatState::Left)
        .then_some(roll)
        .flatten()
        .map(|roll_call| {
            let trainee = s.trainee_id;
            view! {
                <button
                    type="button"
                    class="button button-primary seat-tick"
                    data-testid="seat-tick"
                    disabled=move || busy.get()
                    on:click=move |_| act(live, busy, alert, async move { group_api::tick(id, roll_call, trainee).await.map(Some) })
                >
                    "到场"
                </button>
            }
        });
    let state_class = match s.state {
        SeatState::Active => "seat-active",
        SeatState::Idle => "seat-idle",
        SeatState::Disconnected => "seat-disconnected",
        SeatState::Left => "seat-left",
    };
    view! {
        <li
            class=format!("seat {state_class}")
            data-testid="seat"
            data-trainee=s.trainee_id
            data-state=format!("{:?}", s.state).to_lowercase()
            data-secs=s.credited_secs
        >
            <p class="seat-name">{s.name.clone()}</p>
            <p class="seat-id">{s.id_number.clone()}</p>
            <p class="seat-state">{state_line}</p>
            <p class="seat-lesson">{s.lesson_title.clone().unwrap_or_else(|| "未打开课程".to_owned())}</p>
            <p class="seat-credited">{format!("本场已计 {}", duration(s.credited_secs))}</p>
            {mark.map(|(text, class)| view! { <p class=format!("seat-mark {class}")>{text}</p> })}
            {tick}
        </li>
    }
}
