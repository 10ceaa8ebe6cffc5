//! Supervised group study in computer rooms (集中学习, DESIGN.md §3 and §8 "Group sessions"):
//! the wire types of `/api/group-sessions…` and `/api/rooms…`, and the rules both the server
//! and the proctor's console apply: a seat's state, the order problems are shown in, the PIN
//! and room code alphabets, and which stretches of a lecture a roll-call record credits.

use crate::api::FieldError;
use crate::error_code::ErrorCode;
use crate::ledger::LessonKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Longest title or room name, in characters.
pub const MAX_TEXT_CHARS: usize = 60;
/// The most seats a room may have, and the most trainees one session may be assigned.
pub const MAX_CAPACITY: u32 = 500;
/// The longest a session may last.
pub const MAX_DURATION_SECS: i64 = 12 * 3600;
/// A seat not heard from for this long is shown as disconnected (three heartbeats missed).
pub const SILENT_SECS: i64 = 60;
/// The proctor may open a session this long before it starts (to let people sit down).
pub const OPEN_EARLY_SECS: i64 = 30 * 60;
/// Time every seat has to answer a roll call.
pub const ROLL_CALL_WINDOW_SECS: i64 = 60;
/// The roll call's question: one button, for people who rarely use a computer.
pub const ROLL_CALL_PROMPT: &str = "点名：请点击“我在”";
pub const ROLL_CALL_ANSWER: &str = "我在";

/// How a group session is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GroupFormat {
    /// Each person studies the course at a seat (a terminal of the room).
    Seats,
    /// The proctor plays a lesson on the projector; one device, presence marked by the proctor.
    Lecture,
}

impl GroupFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupFormat::Seats => "seats",
            GroupFormat::Lecture => "lecture",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        match s {
            "seats" => Some(GroupFormat::Seats),
            "lecture" => Some(GroupFormat::Lecture),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            GroupFormat::Seats => "机房分座学习",
            GroupFormat::Lecture => "集中听课",
        }
    }
}

/// Where a group session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GroupStatus {
    /// Planned; the office admin may still change or cancel it.
    Scheduled,
    /// The proctor opened it: seats may sign in.
    Open,
    /// Closed by the proctor or at its end: every seat is signed out, attendance is kept.
    Closed,
    /// Called off before it started.
    Cancelled,
}

impl GroupStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupStatus::Scheduled => "scheduled",
            GroupStatus::Open => "open",
            GroupStatus::Closed => "closed",
            GroupStatus::Cancelled => "cancelled",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        [
            GroupStatus::Scheduled,
            GroupStatus::Open,
            GroupStatus::Closed,
            GroupStatus::Cancelled,
        ]
        .into_iter()
        .find(|g| g.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            GroupStatus::Scheduled => "未开始",
            GroupStatus::Open => "进行中",
            GroupStatus::Closed => "已结束",
            GroupStatus::Cancelled => "已取消",
        }
    }
}

/// A seat as the proctor's console shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SeatState {
    /// Studying: heartbeats come and are credited.
    Active,
    /// Connected but not earning: no lesson open, no input, or blocked by a missed roll call.
    Idle,
    /// Not heard from for [`SILENT_SECS`] or more.
    Disconnected,
    /// Signed out of the seat (or moved to another, or the session closed).
    Left,
}

impl SeatState {
    pub fn label(self) -> &'static str {
        match self {
            SeatState::Active => "学习中",
            SeatState::Idle => "未在学习",
            SeatState::Disconnected => "已断开",
            SeatState::Left => "已离开",
        }
    }
}

/// What a seat did with the latest roll call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RollCallMark {
    /// Open and not yet answered.
    Pending,
    Answered,
    /// Its window closed unanswered: nothing is credited until the next one is answered.
    Missed,
}

/// Why a seat was signed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SeatEnd {
    /// The person signed out at the seat.
    SignedOut,
    /// The person signed in at another seat.
    Moved,
    /// Another person signed in at this terminal.
    Replaced,
    /// The proctor signed the seat out.
    Proctor,
    /// The session closed.
    Closed,
}

impl SeatEnd {
    pub const ALL: [SeatEnd; 5] = [
        SeatEnd::SignedOut,
        SeatEnd::Moved,
        SeatEnd::Replaced,
        SeatEnd::Proctor,
        SeatEnd::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SeatEnd::SignedOut => "signed_out",
            SeatEnd::Moved => "moved",
            SeatEnd::Replaced => "replaced",
            SeatEnd::Proctor => "proctor",
            SeatEnd::Closed => "closed",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// The error a seat credential ended this way answers with.
    pub fn error_code(self) -> ErrorCode {
        match self {
            SeatEnd::Moved => ErrorCode::SeatMoved,
            SeatEnd::Closed => ErrorCode::RoomClosed,
            SeatEnd::SignedOut | SeatEnd::Replaced | SeatEnd::Proctor => ErrorCode::SeatEnded,
        }
    }
}

/// A seat's state from what the server knows of it at `now`.
pub fn seat_state(left: bool, last_seen_at: i64, now: i64, earning: bool) -> SeatState {
    if left {
        SeatState::Left
    } else if now - last_seen_at >= SILENT_SECS {
        SeatState::Disconnected
    } else if earning {
        SeatState::Active
    } else {
        SeatState::Idle
    }
}

/// How urgently the console shows a seat: problems first (silent seats, then missed and
/// pending roll calls, then idle ones), healthy seats after them, and those who left last.
pub fn trouble_rank(state: SeatState, roll_call: Option<RollCallMark>) -> u8 {
    match (state, roll_call) {
        (SeatState::Left, _) => 6,
        (SeatState::Disconnected, _) => 0,
        (_, Some(RollCallMark::Missed)) => 1,
        (_, Some(RollCallMark::Pending)) => 2,
        (SeatState::Idle, _) => 3,
        (SeatState::Active, _) => 5,
    }
}

/// Whether a seat needs nothing from the proctor (the "hide healthy" switch hides these).
pub fn is_healthy(state: SeatState, roll_call: Option<RollCallMark>) -> bool {
    trouble_rank(state, roll_call) >= 5
}

/// A session PIN (6 digits, leading zeros kept) from a random draw.
pub fn pin_from_draw(draw: u64) -> String {
    format!("{:06}", draw % 1_000_000)
}

/// Characters of a room code: no 0/O, 1/I/L, so that it can be read aloud and typed.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
pub const CODE_LEN: usize = 8;

/// A room code (the `/room/<code>` of the kiosk) from a random draw.
pub fn room_code_from_draw(mut draw: u64) -> String {
    let n = CODE_ALPHABET.len() as u64;
    (0..CODE_LEN)
        .map(|_| {
            let c = CODE_ALPHABET[(draw % n) as usize] as char;
            draw /= n;
            c
        })
        .collect()
}

/// Whether a path segment can be a room code (checked before any database look-up).
pub fn is_room_code(s: &str) -> bool {
    s.len() == CODE_LEN && s.bytes().all(|b| CODE_ALPHABET.contains(&b))
}

/// The stretches of a lecture that a roll-call record credits one attendee: the lecture is
/// cut at its roll calls (`at`, sorted, the opening one first), and a stretch between two
/// roll calls counts only when the attendee was marked present at both of its ends, since
/// nothing else shows they were there in between. Answers `(from, to)` pairs.
pub fn lecture_stretches(marks: &[(i64, bool)]) -> Vec<(i64, i64)> {
    marks
        .windows(2)
        .filter(|w| w[0].1 && w[1].1 && w[1].0 > w[0].0)
        .map(|w| (w[0].0, w[1].0))
        .collect()
}

/// `POST /api/group-sessions`, `PUT /api/group-sessions/{id}`: a session an office admin
/// schedules in their region's subtree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GroupSessionInput {
    pub title: String,
    /// The room or place, e.g. `区机关事务服务中心三楼机房`.
    pub room: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Seats in the room: at most this many people are seated at once.
    pub capacity: u32,
    /// The course studied (seats) or played (lecture).
    pub course_id: i64,
    /// The proctor's sign-in name.
    pub proctor_login: String,
    pub format: GroupFormat,
    /// The trainees assigned; absent (or null) opens it to every trainee of the region who is
    /// enrolled for the year.
    #[serde(default)]
    pub trainee_ids: Option<Vec<i64>>,
    /// The region it is held for, inside the admin's subtree; absent means the admin's own.
    #[serde(default)]
    pub region_code: Option<String>,
}

impl GroupSessionInput {
    /// Every field at fault, in form order. `now` refuses a session that has ended already.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut text = |field: &str, label: &str, value: &str| {
            if value.trim().is_empty() {
                errors.push(FieldError::new(
                    field,
                    ErrorCode::InvalidBody,
                    format!("请填写{label}"),
                ));
            } else if value.chars().count() > MAX_TEXT_CHARS {
                errors.push(FieldError::new(
                    field,
                    ErrorCode::InvalidBody,
                    format!("{label}不能超过 {MAX_TEXT_CHARS} 个字"),
                ));
            }
        };
        text("title", "名称", &self.title);
        text("room", "地点", &self.room);
        let secs = (self.ends_at - self.starts_at).num_seconds();
        if secs <= 0 {
            errors.push(FieldError::new(
                "ends_at",
                ErrorCode::OutOfRange,
                "结束时间应晚于开始时间",
            ));
        } else if secs > MAX_DURATION_SECS {
            errors.push(FieldError::new(
                "ends_at",
                ErrorCode::OutOfRange,
                "一场集中学习最长 12 小时",
            ));
        } else if self.ends_at <= now {
            errors.push(FieldError::new(
                "ends_at",
                ErrorCode::OutOfRange,
                "结束时间已过，请重新选择时间",
            ));
        }
        if !(1..=MAX_CAPACITY).contains(&self.capacity) {
            errors.push(FieldError::new(
                "capacity",
                ErrorCode::OutOfRange,
                format!("座位数应为 1 到 {MAX_CAPACITY} 之间的整数"),
            ));
        }
        if self.proctor_login.trim().is_empty() {
            errors.push(FieldError::new(
                "proctor_login",
                ErrorCode::UnknownProctor,
                "请选择监考员",
            ));
        }
        if let Some(ids) = &self.trainee_ids {
            let mut sorted = ids.clone();
            sorted.sort_unstable();
            sorted.dedup();
            if ids.is_empty() {
                errors.push(FieldError::new(
                    "trainee_ids",
                    ErrorCode::InvalidBody,
                    "请至少选择一名学员，或改为面向本地区全部学员",
                ));
            } else if sorted.len() != ids.len() {
                errors.push(FieldError::new(
                    "trainee_ids",
                    ErrorCode::InvalidBody,
                    "学员名单中有重复的人员",
                ));
            } else if ids.len() > MAX_CAPACITY as usize {
                errors.push(FieldError::new(
                    "trainee_ids",
                    ErrorCode::OutOfRange,
                    format!("一场最多安排 {MAX_CAPACITY} 名学员"),
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// `POST /api/group-sessions` → 201.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GroupSessionCreated {
    pub id: i64,
    /// The room code: terminals open `/room/<code>`.
    pub code: String,
}

/// A group session in a list (`GET /api/group-sessions`, a trainee's `GET
/// /api/me/group-sessions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GroupSessionSummary {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub room: String,
    pub region_code: String,
    /// e.g. `福建省 泉州市 鲤城区`.
    pub region_name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: u32,
    pub course_id: i64,
    pub course_title: String,
    pub proctor_login: String,
    pub proctor_name: String,
    pub format: GroupFormat,
    pub status: GroupStatus,
    /// No list of trainees: any enrolled trainee of the region may come.
    pub open_to_region: bool,
    /// Trainees assigned (0 when open to the region).
    pub assigned: u32,
}

/// The latest roll call of a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RollCallView {
    pub id: i64,
    pub started_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Started by the server at random, not by the proctor.
    pub by_server: bool,
}

/// One person's seat in a session (the latest one, if they sat more than once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SeatView {
    pub trainee_id: i64,
    pub name: String,
    /// Masked 身份证号.
    pub id_number: String,
    /// The lesson open at the seat, if any.
    pub lesson_id: Option<i64>,
    pub lesson_title: Option<String>,
    /// Seconds credited at the seats of this session so far.
    pub credited_secs: i64,
    pub state: SeatState,
    /// The last time the seat was heard from (a heartbeat, or its sign-in).
    pub last_seen_at: DateTime<Utc>,
    /// Seconds since then, at the view's `now`.
    pub silent_secs: i64,
    /// What the seat did with the latest roll call; null when there is none since it sat.
    pub roll_call: Option<RollCallMark>,
    pub signed_in_at: DateTime<Utc>,
    /// Signed in by the proctor from the console, not by PIN.
    pub by_proctor: bool,
    pub left_at: Option<DateTime<Utc>>,
    pub left_reason: Option<SeatEnd>,
}

impl SeatView {
    /// See [`trouble_rank`].
    pub fn trouble_rank(&self) -> u8 {
        trouble_rank(self.state, self.roll_call)
    }
}

/// Seconds a person was credited in a session, by how.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AttendanceSources {
    /// Studying at a seat (heartbeats through the ledger).
    pub seat: i64,
    /// Present at a lecture's roll calls (through the ledger).
    pub lecture: i64,
    /// Added (or, when negative, taken away) by the office's corrections after closing.
    pub correction: i64,
}

/// One person's attendance, kept when the session closes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AttendanceRow {
    pub trainee_id: i64,
    pub name: String,
    /// Masked 身份证号.
    pub id_number: String,
    /// The sum of `by_source`.
    pub credited_secs: i64,
    pub by_source: AttendanceSources,
    /// When they first sat (or were first marked present) and last left.
    pub first_seen_at: Option<DateTime<Utc>>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub roll_calls_answered: u32,
    pub roll_calls_missed: u32,
}

/// `GET /api/group-sessions/{id}`: everything the office and the proctor's console show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GroupSessionView {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub room: String,
    pub region_code: String,
    pub region_name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: u32,
    pub course_id: i64,
    pub course_title: String,
    pub proctor_login: String,
    pub proctor_name: String,
    pub format: GroupFormat,
    pub status: GroupStatus,
    pub open_to_region: bool,
    /// The assigned trainees (empty when open to the region).
    pub trainee_ids: Vec<i64>,
    /// The same trainees by name, ordered by name: the console seats them by touch.
    pub trainees: Vec<AssignedTrainee>,
    /// The PIN seats sign in with; only while open.
    pub pin: Option<String>,
    pub opened_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub roll_call: Option<RollCallView>,
    /// The server's clock when the view was made (a console counts silences from it).
    pub now: DateTime<Utc>,
    /// Problems first (see [`trouble_rank`]), then by name.
    pub seats: Vec<SeatView>,
    /// Kept at closing; null before.
    pub attendance: Option<Vec<AttendanceRow>>,
    /// Lecture format: the lesson played and who is marked present; null for seats.
    pub lecture: Option<LectureView>,
    /// The practice set pushed last, with the room's answers per question; null before one.
    pub practice: Option<GroupPracticeView>,
}

/// A trainee assigned to a session, as the office and the console list them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AssignedTrainee {
    pub trainee_id: i64,
    pub name: String,
    /// Masked 身份证号.
    pub id_number: String,
}

/// `PUT /api/group-sessions/{id}/lecture`: the lesson of the course the proctor now plays on
/// the projector (a lecture's credit goes to it, within its nominal duration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LectureLesson {
    pub lesson_id: i64,
}

/// `POST /api/group-sessions/{id}/roll-calls/{roll_call_id}/presence`: at a lecture's roll
/// call the proctor marks a person present or absent, named by `trainee_id` (from the list)
/// or `id_number`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PresenceMark {
    #[serde(default)]
    pub trainee_id: Option<i64>,
    /// 18-character 身份证号 (when no `trainee_id`).
    #[serde(default)]
    pub id_number: Option<String>,
    pub present: bool,
}

/// A lecture's attendee (assigned, or marked at a roll call) as the console shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LectureAttendee {
    pub trainee_id: i64,
    pub name: String,
    /// Masked 身份证号.
    pub id_number: String,
    /// Their mark at the latest roll call: null while not marked.
    pub present: Option<bool>,
    /// Roll calls they were marked present at.
    pub present_count: u32,
    /// Seconds credited at this lecture so far.
    pub credited_secs: i64,
}

/// A lecture's state on the console: the lesson played and the attendees, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LectureView {
    pub lesson_id: Option<i64>,
    pub lesson_title: Option<String>,
    pub attendees: Vec<LectureAttendee>,
}

/// How long the proctor has to mark the room at a lecture's roll call (there is one device,
/// and marking 60 people by touch takes minutes, not the seats' 60 s).
pub const LECTURE_MARK_SECS: i64 = 10 * 60;

/// `POST /api/group-sessions/{id}/practice`: the proctor pushes a practice set of the
/// session's course to every seat; without `question_ids`, all of the course's questions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PracticePush {
    #[serde(default)]
    pub question_ids: Option<Vec<i64>>,
}

/// How the room answered one question of a pushed set (at seats and on paper).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct QuestionTally {
    pub question_id: i64,
    pub stem: String,
    pub answered: u32,
    pub right: u32,
    pub wrong: u32,
}

/// The session's current practice set with its live answers, per question in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GroupPracticeView {
    pub id: i64,
    pub started_at: DateTime<Utc>,
    pub questions: Vec<QuestionTally>,
}

/// `POST /api/group-sessions/{id}/practice/{practice_id}/answers`: an answer a person gave on
/// paper, which the proctor records for them (graded as at a seat).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PaperAnswer {
    #[serde(default)]
    pub trainee_id: Option<i64>,
    /// 18-character 身份证号 (when no `trainee_id`).
    #[serde(default)]
    pub id_number: Option<String>,
    pub question_id: i64,
    /// 0-based indexes of the chosen options.
    pub chosen: Vec<usize>,
}

/// `POST /api/group-sessions/{id}/roll-calls` → 201.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RollCallStarted {
    pub id: i64,
    pub expires_at: DateTime<Utc>,
}

/// `POST /api/group-sessions/{id}/roll-calls/{roll_call}/ticks`: the proctor ticks a person
/// present on the console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RollCallTick {
    pub trainee_id: i64,
}

/// `POST /api/group-sessions/{id}/corrections`: the office admin changes a person's credited
/// time in a closed session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AttendanceCorrection {
    pub trainee_id: i64,
    /// The person's credited seconds in the session after the correction.
    pub credited_secs: i64,
    /// Why (kept in the audit log).
    pub reason: String,
}

/// Longest correction reason.
pub const MAX_REASON_CHARS: usize = 200;

/// `GET /api/rooms/{code}`: what the kiosk shows before anyone signs in (no one's data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RoomInfo {
    pub code: String,
    pub title: String,
    pub room: String,
    pub course_title: String,
    pub format: GroupFormat,
    pub status: GroupStatus,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// `POST /api/rooms/{code}/sign-in`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SeatSignIn {
    /// 18-character 身份证号.
    pub id_number: String,
    /// The 6 digits the proctor's console shows.
    pub pin: String,
}

/// A lesson of the session's course with the person's progress, at the seat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SeatLesson {
    pub id: i64,
    pub title: String,
    pub kind: LessonKind,
    pub duration_secs: i64,
    /// Credited on this lesson this year (at seats and online).
    pub credited_secs: i64,
}

/// `POST /api/rooms/{code}/sign-in` → 200, and `GET /api/rooms/{code}/seat`: who sits at
/// this terminal and what they study.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SeatSession {
    pub group_session_id: i64,
    pub code: String,
    pub title: String,
    pub room: String,
    pub ends_at: DateTime<Utc>,
    /// The person's name, so they can see it is their seat.
    pub name: String,
    pub course_id: i64,
    pub course_title: String,
    pub lessons: Vec<SeatLesson>,
    /// Credited at the seats of this session so far.
    pub credited_secs: i64,
}

/// Digits of a terminal's seat code.
pub const SEAT_CODE_LEN: usize = 4;

/// A seat code (shown large on a kiosk nobody sits at) from a random draw.
pub fn seat_code_from_draw(draw: u64) -> String {
    format!("{:04}", draw % 10_000)
}

/// Whether a string can be a seat code.
pub fn is_seat_code(s: &str) -> bool {
    s.len() == SEAT_CODE_LEN && s.bytes().all(|b| b.is_ascii_digit())
}

/// `POST /api/rooms/{code}/terminal`: what a kiosk nobody sits at asks every few seconds.
/// Either the proctor has seated someone at this terminal (`seat`, and the seat cookie is
/// set), or the terminal shows its `seat_code` for the proctor to type on the console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TerminalView {
    /// The 4 digits the kiosk shows; null once seated.
    pub seat_code: Option<String>,
    /// Who the proctor seated here; null while nobody is.
    pub seat: Option<SeatSession>,
}

/// `POST /api/group-sessions/{id}/seats`: the proctor seats a person at the terminal that
/// shows `seat_code`, named by `trainee_id` (from the assigned list) or `id_number`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ProctorSeating {
    pub seat_code: String,
    #[serde(default)]
    pub trainee_id: Option<i64>,
    /// 18-character 身份证号 (when no `trainee_id`).
    #[serde(default)]
    pub id_number: Option<String>,
}

/// `POST /api/test/group-sessions/tick` (test clock only): the due work just done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DueReport {
    /// Open sessions closed at their end.
    pub closed: u32,
    /// Random roll calls started.
    pub roll_calls: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    fn input() -> GroupSessionInput {
        let starts_at = Utc.with_ymd_and_hms(2026, 12, 7, 1, 0, 0).unwrap();
        GroupSessionInput {
            title: "鲤城区集中学习".into(),
            room: "三楼机房".into(),
            starts_at,
            ends_at: starts_at + Duration::hours(3),
            capacity: 60,
            course_id: 1,
            proctor_login: "proctor-demo".into(),
            format: GroupFormat::Seats,
            trainee_ids: None,
            region_code: None,
        }
    }

    fn fields(r: Result<(), Vec<FieldError>>) -> Vec<String> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|f| f.field)
            .collect()
    }

    #[test]
    fn a_complete_schedule_passes_and_each_fault_names_its_field() {
        let now = Utc.with_ymd_and_hms(2026, 12, 6, 1, 0, 0).unwrap();
        assert!(input().validate(now).is_ok());
        let bad = GroupSessionInput {
            title: " ".into(),
            room: "房".repeat(61),
            ends_at: input().starts_at,
            capacity: 0,
            proctor_login: String::new(),
            trainee_ids: Some(vec![3, 3]),
            ..input()
        };
        assert_eq!(
            fields(bad.validate(now)),
            [
                "title",
                "room",
                "ends_at",
                "capacity",
                "proctor_login",
                "trainee_ids"
            ]
        );
        let long = GroupSessionInput {
            ends_at: input().starts_at + Duration::hours(13),
            ..input()
        };
        assert_eq!(fields(long.validate(now)), ["ends_at"]);
        let past = now + Duration::days(2);
        assert_eq!(fields(input().validate(past)), ["ends_at"]);
        let nobody = GroupSessionInput {
            trainee_ids: Some(vec![]),
            ..input()
        };
        assert_eq!(fields(nobody.validate(now)), ["trainee_ids"]);
    }

    #[test]
    fn a_seat_is_disconnected_after_a_minute_of_silence_and_left_once_signed_out() {
        assert_eq!(seat_state(false, 100, 159, true), SeatState::Active);
        assert_eq!(seat_state(false, 100, 159, false), SeatState::Idle);
        assert_eq!(seat_state(false, 100, 160, true), SeatState::Disconnected);
        assert_eq!(seat_state(true, 100, 101, true), SeatState::Left);
    }

    #[test]
    fn problems_come_first_and_healthy_seats_are_the_active_ones() {
        use RollCallMark::*;
        use SeatState::*;
        let order = [
            (Disconnected, None),
            (Active, Some(Missed)),
            (Idle, Some(Pending)),
            (Idle, None),
            (Active, Some(Answered)),
            (Left, Some(Missed)),
        ];
        let ranks: Vec<u8> = order.iter().map(|(s, r)| trouble_rank(*s, *r)).collect();
        assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{ranks:?}");
        assert!(is_healthy(Active, None) && is_healthy(Left, None));
        assert!(!is_healthy(Active, Some(Pending)) && !is_healthy(Idle, None));
    }

    #[test]
    fn a_lecture_credits_the_stretches_between_two_roll_calls_someone_was_present_at() {
        // Late (absent at the start), then present, then gone before the end.
        let marks = [
            (0, false),
            (600, true),
            (1200, true),
            (1800, true),
            (2400, false),
        ];
        assert_eq!(lecture_stretches(&marks), [(600, 1200), (1200, 1800)]);
        assert!(lecture_stretches(&[(0, true)]).is_empty());
    }

    proptest! {
        #[test]
        fn pins_are_six_digits_and_room_codes_read_back(draw in any::<u64>()) {
            let pin = pin_from_draw(draw);
            prop_assert_eq!(pin.len(), 6);
            prop_assert!(pin.bytes().all(|b| b.is_ascii_digit()));
            prop_assert!(is_room_code(&room_code_from_draw(draw)));
        }

        #[test]
        fn a_lecture_never_credits_more_than_it_lasted(
            marks in proptest::collection::vec((0i64..600, any::<bool>()), 0..20)
        ) {
            let mut at = 0;
            let marks: Vec<(i64, bool)> = marks.into_iter().map(|(d, p)| { at += d; (at, p) }).collect();
            let credited: i64 = lecture_stretches(&marks).iter().map(|(a, b)| b - a).sum();
            prop_assert!(credited <= marks.last().map_or(0, |m| m.0) - marks.first().map_or(0, |m| m.0));
        }
    }
}
