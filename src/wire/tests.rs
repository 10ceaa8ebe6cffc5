//! Every answer `wire` reads, serialised by serde as the server serialises it and read back
//! by the decoders the browser runs: a field renamed or retyped in core, or a key mistyped in
//! `wire`, fails here. Each value fills every field, optional ones too (an absent key would
//! read as null), with values that differ from their neighbours (two keys swapped would read
//! back equal otherwise).

use super::{FromJson, Json};
use chrono::{DateTime, Utc};
use qinxue_core::api::{
    CheckKind, CheckPassed, CheckPrompt, Course, CourseProgress, ErrorBody, ErrorDetail,
    FieldError, HeartbeatReply, Lesson, LessonCredit, LessonProgressView, LessonSummary, Me, Order,
    OrderCreated, OrderItem, Region, RowError, StaffMember, StudyProgress, StudySession, Unit,
    UnitStaff, YearInfo,
};
use qinxue_core::catalogue::{CourseCategory, QuestionKind};
use qinxue_core::ledger::{BeatVerdict, LessonKind};
use qinxue_core::order::{ItemOutcome, OrderKind, OrderStatus, RefundReason};
use qinxue_core::practice::{Attempt, AttemptSummary, GradedAnswer, Plan, PracticeQuestion};
use qinxue_core::{EmploymentType, ErrorCode, Grade, Role};
use serde::Serialize;
use serde_json::Value;
use std::fmt::Debug;

static NULL: Value = Value::Null;

/// serde_json's parsed JSON in place of the browser's. Instants are kept to the millisecond,
/// as `Date.parse` keeps them.
impl Json for &Value {
    fn member(&self, key: &str) -> Self {
        self.get(key).unwrap_or(&NULL)
    }

    fn is_nothing(&self) -> bool {
        self.is_null()
    }

    fn number(&self) -> Option<f64> {
        self.as_f64()
    }

    fn text(&self) -> Option<String> {
        self.as_str().map(str::to_owned)
    }

    fn truth(&self) -> Option<bool> {
        self.as_bool()
    }

    fn items(&self) -> Option<impl Iterator<Item = Self>> {
        Some(self.as_array()?.iter())
    }

    fn instant(&self) -> Option<DateTime<Utc>> {
        let at = DateTime::parse_from_rfc3339(self.as_str()?).ok()?;
        DateTime::from_timestamp_millis(at.timestamp_millis())
    }
}

/// `value` as JSON text, as the server sends it.
fn serialised<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("the API's types serialise")
}

/// Decodes JSON text as the browser does after `JSON.parse`.
fn decoded<T: FromJson>(text: &str) -> Option<T> {
    let parsed: Value = serde_json::from_str(text).expect("serde wrote JSON");
    T::from_json(&&parsed)
}

/// serde's JSON of `value`, decoded by `wire`, is `value` again.
fn assert_round_trip<T: Serialize + FromJson + PartialEq + Debug>(value: T) {
    let text = serialised(&value);
    assert_eq!(
        decoded::<T>(&text),
        Some(value),
        "wire reads {text} differently"
    );
}

/// Every variant of an enum. The match makes a variant added in core fail to compile here
/// until it is listed, and so until its wire name is tested.
macro_rules! every {
    ($enum:ident: $($variant:ident),+ $(,)?) => {{
        let all = [$($enum::$variant),+];
        for each in all {
            match each {
                $($enum::$variant)|+ => {}
            }
        }
        all
    }};
}

/// An instant with milliseconds, which the wire keeps.
fn at(millis: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(millis).expect("a valid instant")
}

fn unit() -> Unit {
    Unit {
        id: 31,
        name: "泉州市鲤城区环卫所".into(),
        region_code: "350502".into(),
        region_name: "福建省 泉州市 鲤城区".into(),
    }
}

fn region() -> Region {
    Region {
        code: "350500".into(),
        name: "泉州市".into(),
        parent_code: Some("350000".into()),
        level: 2,
    }
}

fn year_info() -> YearInfo {
    YearInfo {
        year: 2026,
        required_hours: Some(42),
        fee_fen: Some(12_600),
        registration_deadline: at(1_780_000_000_123),
        study_deadline: at(1_790_000_000_456),
        minutes_per_hour: 45,
        registration_open: true,
        study_open: false,
        enrolled: true,
    }
}

fn lesson_summary(id: i64, kind: LessonKind) -> LessonSummary {
    LessonSummary {
        id,
        title: format!("第{id}课"),
        kind,
        duration_secs: 1_800 + id,
    }
}

fn course(id: i64, category: CourseCategory) -> Course {
    Course {
        id,
        code: format!("GQ-{id}"),
        title: "安全生产基础".into(),
        category,
        trades: vec!["电工".into(), "汽车驾驶员".into()],
        hours: 6,
        description: "从业人员的安全生产常识。".into(),
        cover: "/covers/safety.svg".into(),
        lessons: vec![
            lesson_summary(id * 10 + 1, LessonKind::Text),
            lesson_summary(id * 10 + 2, LessonKind::Video),
        ],
    }
}

fn progress() -> LessonProgressView {
    LessonProgressView {
        credited_secs: 610,
        furthest_secs: 720,
        position_secs: 705,
    }
}

fn graded_answer() -> GradedAnswer {
    GradedAnswer {
        question_id: 81,
        chosen: vec![0, 2],
        correct: false,
        answer: vec![1, 2, 3],
        explanation: "应先断电再施救。".into(),
    }
}

fn check_prompt() -> CheckPrompt {
    CheckPrompt {
        id: "chk-7f3a".into(),
        prompt: "3 + 4 = ?".into(),
        options: vec!["6".into(), "7".into(), "8".into()],
        expires_at: at(1_781_234_567_890),
        kind: CheckKind::RollCall,
    }
}

fn order_item(trainee_id: i64, outcome: Option<ItemOutcome>) -> OrderItem {
    OrderItem {
        trainee_id,
        name: "王建国".into(),
        id_number: "350***********1235".into(),
        grade: Grade::Senior,
        fee_fen: 12_600,
        outcome,
    }
}

fn order(refund_reason: Option<RefundReason>) -> Order {
    Order {
        id: 17,
        order_no: "Q2026-3FA9C0D21B7E4A55".into(),
        kind: OrderKind::Unit,
        year: 2026,
        amount_fen: 25_200,
        status: OrderStatus::RefundDue,
        unit_name: Some("泉州市鲤城区环卫所".into()),
        payer_name: "李单位".into(),
        receipt_no: Some("FJ2026000123".into()),
        paid_at: Some(at(1_781_000_000_001)),
        created_at: at(1_780_999_000_002),
        refund_fen: 12_600,
        refund_reason,
        pay_url: Some("http://127.0.0.1:8090/cashier/17".into()),
        items: vec![
            order_item(5, Some(ItemOutcome::Activated)),
            order_item(6, Some(ItemOutcome::RefundDue)),
        ],
    }
}

#[test]
fn a_signed_in_trainee_reads_back_whole() {
    assert_round_trip(Me {
        id: 5,
        name: "王建国".into(),
        role: Role::Trainee,
        grade: Some(Grade::Senior),
        id_number: Some("350***********1235".into()),
        phone: Some("138****8000".into()),
        employment_type: Some(EmploymentType::Dispatched),
        trade: Some("电工".into()),
        unit: Some(unit()),
        region: Some(region()),
        year: Some(year_info()),
    });
}

#[test]
fn an_administrator_without_the_trainee_fields_reads_back_whole() {
    assert_round_trip(Me {
        id: 2,
        name: "省工考办".into(),
        role: Role::ProvincialAdmin,
        grade: None,
        id_number: None,
        phone: None,
        employment_type: None,
        trade: None,
        unit: None,
        region: None,
        year: Some(YearInfo {
            required_hours: None,
            fee_fen: None,
            enrolled: false,
            ..year_info()
        }),
    });
    assert_round_trip(Me {
        id: 3,
        name: "无年度".into(),
        role: Role::OfficeAdmin,
        grade: None,
        id_number: None,
        phone: None,
        employment_type: None,
        trade: None,
        unit: None,
        region: Some(Region {
            parent_code: None,
            ..region()
        }),
        year: None,
    });
}

#[test]
fn every_role_grade_and_employment_type_reads_back() {
    let roles = every!(Role: Trainee, UnitAdmin, OfficeAdmin, Proctor, ProvincialAdmin);
    let grades =
        every!(Grade: Junior, Intermediate, Senior, Technician, SeniorTechnician, Ungraded);
    let employments = every!(EmploymentType: InPost, Dispatched, Contract);
    for (i, role) in roles.into_iter().enumerate() {
        for grade in grades {
            assert_round_trip(Me {
                id: i as i64,
                name: "某人".into(),
                role,
                grade: Some(grade),
                id_number: None,
                phone: None,
                employment_type: Some(employments[i % employments.len()]),
                trade: None,
                unit: None,
                region: None,
                year: None,
            });
        }
    }
}

#[test]
fn units_and_regions_read_back() {
    assert_round_trip(vec![unit(), Unit { id: 32, ..unit() }]);
    assert_round_trip(vec![
        region(),
        Region {
            code: "350000".into(),
            name: "福建省".into(),
            parent_code: None,
            level: 1,
        },
    ]);
}

#[test]
fn the_catalogue_with_every_category_and_lesson_kind_reads_back() {
    let kinds = every!(LessonKind: Text, Video, Practice);
    let courses: Vec<Course> = every!(CourseCategory: Public, Trade)
        .into_iter()
        .zip(1..)
        .map(|(category, id)| Course {
            lessons: kinds
                .into_iter()
                .zip(1..)
                .map(|(kind, n)| lesson_summary(id * 10 + n, kind))
                .collect(),
            ..course(id, category)
        })
        .collect();
    assert_round_trip(courses);
    assert_round_trip(Course {
        trades: Vec::new(),
        lessons: Vec::new(),
        ..course(3, CourseCategory::Public)
    });
}

#[test]
fn a_plan_reads_back() {
    assert_round_trip(Plan {
        year: 2026,
        required_hours: 42,
        planned_hours: 12,
        registration_open: true,
        courses: vec![
            course(1, CourseCategory::Public),
            course(2, CourseCategory::Trade),
        ],
    });
}

#[test]
fn practice_attempts_with_every_question_kind_read_back() {
    let questions = every!(QuestionKind: Single, Multiple, TrueFalse)
        .into_iter()
        .zip(1..)
        .map(|(kind, id)| PracticeQuestion {
            id,
            kind,
            stem: format!("第{id}题"),
            options: vec!["甲".into(), "乙".into(), "丙".into()],
        })
        .collect();
    let finished = Attempt {
        id: 9,
        course_id: 2,
        started_at: at(1_781_000_000_100),
        finished_at: Some(at(1_781_000_600_200)),
        questions,
        answers: vec![graded_answer()],
        score: Some(67),
    };
    assert_round_trip(finished.clone());
    assert_round_trip(Attempt {
        finished_at: None,
        score: None,
        answers: Vec::new(),
        ..finished
    });
    assert_round_trip(graded_answer());
}

#[test]
fn the_attempt_history_reads_back() {
    assert_round_trip(vec![
        AttemptSummary {
            id: 9,
            started_at: at(1_781_000_000_100),
            finished_at: Some(at(1_781_000_600_200)),
            questions: 3,
            correct: 2,
            score: Some(67),
        },
        AttemptSummary {
            id: 8,
            started_at: at(1_780_000_000_300),
            finished_at: None,
            questions: 5,
            correct: 1,
            score: None,
        },
    ]);
}

#[test]
fn a_lesson_and_its_study_session_read_back() {
    let video = Lesson {
        id: 12,
        course_id: 1,
        course_title: "安全生产基础".into(),
        title: "触电急救".into(),
        kind: LessonKind::Video,
        duration_secs: 900,
        body: "**要点**：先断电。".into(),
        video: Some("/media/first-aid.mp4".into()),
        transcript: Some("大家好……".into()),
        progress: progress(),
    };
    assert_round_trip(video.clone());
    assert_round_trip(Lesson {
        kind: LessonKind::Text,
        video: None,
        transcript: None,
        ..video
    });
    assert_round_trip(StudySession {
        session_id: 77,
        heartbeat_secs: 30,
        check_window_secs: 120,
        progress: progress(),
    });
}

#[test]
fn heartbeat_replies_with_every_verdict_read_back() {
    let verdicts = every!(
        BeatVerdict: Credited,
        Held,
        Blocked,
        Hidden,
        Early,
        Replayed,
        OutOfSequence,
    );
    for (verdict, n) in verdicts.into_iter().zip(1..) {
        assert_round_trip(HeartbeatReply {
            credited_secs: n,
            verdict,
            lesson_credited_secs: 100 + n,
            year_credited_secs: 10_000 + n,
            furthest_secs: 200 + n,
            check: (n % 2 == 0).then(check_prompt),
        });
    }
    assert_round_trip(CheckPassed {
        credited_secs: 30,
        lesson_credited_secs: 640,
    });
}

#[test]
fn study_progress_reads_back() {
    assert_round_trip(StudyProgress {
        year: 2026,
        required_hours: 42,
        minutes_per_hour: 45,
        credited_secs: 33_750,
        credited_hours: "12.5".into(),
        courses: vec![CourseProgress {
            course_id: 1,
            title: "安全生产基础".into(),
            hours: 6,
            credited_secs: 5_400,
            credited_hours: "2.0".into(),
            lessons: vec![
                LessonCredit {
                    lesson_id: 11,
                    credited_secs: 1_700,
                    duration_secs: 1_811,
                },
                LessonCredit {
                    lesson_id: 12,
                    credited_secs: 0,
                    duration_secs: 900,
                },
            ],
        }],
    });
}

#[test]
fn orders_with_every_kind_status_and_outcome_read_back() {
    let reasons = every!(RefundReason: AfterDeadline, AlreadyPaid);
    let outcomes = every!(ItemOutcome: Activated, RefundDue);
    let kinds = every!(OrderKind: Individual, Unit);
    let statuses = every!(OrderStatus: Pending, Paid, Cancelled, Failed, RefundDue);
    let mut orders = Vec::new();
    for (n, status) in statuses.into_iter().enumerate() {
        orders.push(Order {
            id: n as i64,
            kind: kinds[n % kinds.len()],
            status,
            refund_reason: Some(reasons[n % reasons.len()]),
            items: vec![order_item(n as i64, Some(outcomes[n % outcomes.len()]))],
            ..order(None)
        });
    }
    assert_round_trip(orders);
    assert_round_trip(Order {
        status: OrderStatus::Pending,
        unit_name: None,
        receipt_no: None,
        paid_at: None,
        refund_fen: 0,
        refund_reason: None,
        pay_url: None,
        items: vec![order_item(5, None)],
        ..order(None)
    });
    assert_round_trip(OrderCreated {
        id: 18,
        amount_fen: 12_600,
        status: OrderStatus::Pending,
        pay_url: "http://127.0.0.1:8090/cashier/18".into(),
    });
}

#[test]
fn a_unit_s_staff_reads_back() {
    let member = StaffMember {
        id: 5,
        name: "王建国".into(),
        id_number: "350***********1235".into(),
        phone: "138****8000".into(),
        grade: Grade::Technician,
        fee_fen: 12_600,
        paid: true,
        open_order_id: Some(17),
    };
    assert_round_trip(UnitStaff {
        year: 2026,
        registration_open: true,
        registration_deadline: at(1_780_000_000_123),
        staff: vec![
            member.clone(),
            StaffMember {
                id: 6,
                paid: false,
                open_order_id: None,
                ..member
            },
        ],
    });
}

#[test]
fn error_answers_with_their_fields_and_rows_read_back() {
    assert_round_trip(ErrorBody {
        error: ErrorDetail {
            code: ErrorCode::ValidationFailed,
            message: "填写的内容有误".into(),
            fields: vec![
                FieldError::new("id_number", ErrorCode::InvalidIdNumber, "身份证号不正确"),
                FieldError::new("phone", ErrorCode::PhoneTaken, "该手机号已被使用"),
            ],
            rows: vec![
                RowError {
                    line: 3,
                    message: "缺少题干".into(),
                },
                RowError {
                    line: 7,
                    message: "答案不在选项中".into(),
                },
            ],
        },
    });
    // Without fields or rows, which serde leaves out of the JSON.
    assert_round_trip(ErrorBody {
        error: ErrorDetail {
            code: ErrorCode::Internal,
            message: "服务器内部错误".into(),
            fields: Vec::new(),
            rows: Vec::new(),
        },
    });
}

#[test]
fn an_answer_with_a_missing_or_mistyped_field_is_no_answer() {
    let mut text: Value = serde_json::from_str(&serialised(&unit())).expect("JSON");
    text["id"] = Value::String("31".into());
    assert_eq!(decoded::<Unit>(&text.to_string()), None);
    let mut text: Value = serde_json::from_str(&serialised(&unit())).expect("JSON");
    text.as_object_mut()
        .expect("an object")
        .remove("region_name");
    assert_eq!(decoded::<Unit>(&text.to_string()), None);
    assert_eq!(
        decoded::<LessonProgressView>(
            r#"{"credited_secs":1.5,"furthest_secs":2,"position_secs":3}"#
        ),
        None
    );
}
