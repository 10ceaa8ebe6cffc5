//! Stable error codes of the API. Programs match on the code; people read the message.
//! Kept here so that the front end can react to a code without string matching.

use serde::{Deserialize, Serialize};

/// Every `error.code` (and `fields[].code`) the API can answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not JSON, or not the JSON this endpoint takes.
    InvalidJson,
    /// A field has the wrong type, an unknown enum value, or is missing.
    InvalidBody,
    /// The query string has an unknown or malformed parameter.
    InvalidQuery,
    /// The request must be sent as `application/json`.
    UnsupportedMediaType,
    /// The body is larger than the endpoint accepts.
    PayloadTooLarge,
    /// One or more fields failed validation; see `fields`.
    ValidationFailed,
    InvalidIdNumber,
    InvalidPhone,
    InvalidName,
    InvalidPassword,
    InvalidTrade,
    UnknownUnit,
    IdNumberTaken,
    PhoneTaken,
    /// No session cookie, or an expired one.
    Unauthenticated,
    /// Wrong login or password.
    InvalidCredentials,
    /// Too many attempts; wait and try again.
    RateLimited,
    /// Signed in, but this role or region may not do this.
    Forbidden,
    NotFound,
    MethodNotAllowed,
    /// No policy year is configured for the current date.
    NoPolicyYear,
    /// The trainee has not registered and paid for the year.
    NotEnrolled,
    /// The study session has ended (another tab or device took over, or it was closed).
    SessionEnded,
    /// The year's study deadline has passed.
    StudyClosed,
    /// The check's time ran out.
    CheckExpired,
    /// The answer to the check was wrong.
    WrongAnswer,
    /// A value is outside what the endpoint accepts.
    OutOfRange,
    /// The year's registration and payment deadline has passed.
    RegistrationClosed,
    /// The person (named in the message) is already paid for the year.
    AlreadyPaid,
    /// The payment platform cannot be reached; the order is kept and can be paid later.
    PaymentUnavailable,
    /// The order is paid (or its money is due back); it cannot be paid again.
    OrderSettled,
    /// A person in a unit order is not a trainee of the admin's unit.
    NotUnitStaff,
    /// A payment notification whose signature does not verify.
    BadSignature,
    /// A payment notification whose amount is not its order's.
    AmountMismatch,
    /// A trade course of another trade than the trainee's.
    WrongTrade,
    /// The course is already in the trainee's plan.
    AlreadySelected,
    /// The plan already reaches the required 学时.
    PlanComplete,
    /// Time has been credited on the course, so it stays in the plan.
    CourseStarted,
    /// A practice answer chooses no option, a missing one, or several where one is asked.
    InvalidChoice,
    /// The question was already answered in this attempt.
    AlreadyAnswered,
    /// The attempt is finished; start a new one.
    AttemptFinished,
    /// The earlier attempt has no wrong answers to retry.
    NothingToRetry,
    /// An uploaded file is not of a type the endpoint takes (judged by its content).
    UnsupportedFileType,
    /// An uploaded file is larger than the configured limit, or empty.
    FileTooLarge,
    /// The course does not meet the catalogue's rules yet (no lessons, 学时 not covered, a
    /// video missing, no questions); the message says what is missing.
    CourseIncomplete,
    /// Trainees have studied the lesson, so deleting it would lose their credited time.
    LessonStudied,
    /// Trainees have answered the question in practice, so it cannot be deleted.
    QuestionAnswered,
    /// The year's required 学时 are not reached (or it was never paid for): no certificate.
    NotCompleted,
    /// A reorder does not list exactly the course's lessons or questions.
    InvalidOrder,
    /// An imported file has bad rows (listed in `rows`) or cannot be read; nothing imported.
    InvalidImport,
    /// Too many requests need the server's slow work (password hashing) at once; try again
    /// in the seconds that `Retry-After` says.
    ServerBusy,
    /// The server did not answer within its time limit (`QINXUE_REQUEST_TIMEOUT_SECS`).
    RequestTimeout,
    /// A state-changing request from a page of another site (CSRF); nothing was done.
    CrossOrigin,
    /// The request's path and query are longer than the server reads.
    UriTooLong,
    /// The request's headers are larger than the server reads.
    HeadersTooLarge,
    /// A seat's sign-in gave a PIN that is not the session's current one.
    WrongPin,
    /// A seat credential was used outside the study routes of its group session.
    SeatOnly,
    /// The seat was signed out (by the person, the proctor, or the next person at the terminal).
    SeatEnded,
    /// The person signed in at another seat; this one is signed out.
    SeatMoved,
    /// The group session is not open (yet).
    RoomNotOpen,
    /// The group session has ended (closed or cancelled).
    RoomClosed,
    /// Every seat of the room is taken.
    RoomFull,
    /// The person does not belong to the group session's region.
    NotInRegion,
    /// The group session is for its assigned trainees, and this person is not one of them.
    NotAssigned,
    /// A roll call is still running; it must end before another starts.
    RollCallOpen,
    /// The group session has started (or ended); it can no longer be changed or cancelled.
    SessionStarted,
    /// Attendance can be corrected only once the group session is closed.
    NotClosed,
    /// The proctor named is not a proctor of the admin's region.
    UnknownProctor,
    /// The supplementary activity is approved (or, for a decision, already decided): it can no
    /// longer be changed.
    ActivityDecided,
    /// Attendance can be uploaded only for an approved supplementary activity.
    ActivityNotApproved,
    /// The person's attendance of this activity is already recorded (and credited).
    AlreadyCredited,
    /// The person's year already has the policy year's supplementary cap of 学时.
    CapReached,
    /// The person signed in with a one-time password (a roster import's or an admin's reset)
    /// and must set their own password before anything else.
    PasswordChangeRequired,
    /// Something failed on the server; the details are in its log, never in the answer.
    Internal,
}

impl ErrorCode {
    /// The message shown to people when nothing more specific is known.
    pub fn default_message(self) -> &'static str {
        match self {
            ErrorCode::InvalidJson => "请求内容格式不正确",
            ErrorCode::InvalidBody => "请求内容缺少字段或取值无效",
            ErrorCode::InvalidQuery => "查询参数不正确",
            ErrorCode::UnsupportedMediaType => "请以 JSON 格式提交",
            ErrorCode::PayloadTooLarge => "提交的内容过大",
            ErrorCode::ValidationFailed => "填写的内容有误，请按提示修改",
            ErrorCode::InvalidIdNumber => "身份证号不正确",
            ErrorCode::InvalidPhone => "手机号不正确",
            ErrorCode::InvalidName => "姓名不正确",
            ErrorCode::InvalidPassword => "密码不符合要求",
            ErrorCode::InvalidTrade => "请选择工种",
            ErrorCode::UnknownUnit => "所选单位不存在",
            ErrorCode::IdNumberTaken => "该身份证号已注册，请直接登录",
            ErrorCode::PhoneTaken => "该手机号已被其他账号使用",
            ErrorCode::Unauthenticated => "请先登录",
            ErrorCode::InvalidCredentials => "账号或密码错误",
            ErrorCode::RateLimited => "尝试次数过多，请稍后再试",
            ErrorCode::Forbidden => "您没有权限进行此操作",
            ErrorCode::NotFound => "请求的内容不存在",
            ErrorCode::MethodNotAllowed => "不支持该请求方式",
            ErrorCode::NoPolicyYear => "本年度培训尚未开放",
            ErrorCode::NotEnrolled => "请先完成本年度报名缴费",
            ErrorCode::SessionEnded => "本次学习已在其他页面或设备上继续，此页面已停止计时",
            ErrorCode::StudyClosed => "本年度学习已截止",
            ErrorCode::CheckExpired => "验证已超时，请回答新的验证后继续计时",
            ErrorCode::WrongAnswer => "回答错误，请回答新的验证后继续计时",
            ErrorCode::OutOfRange => "数值超出允许范围",
            ErrorCode::RegistrationClosed => "本年度报名缴费已截止",
            ErrorCode::AlreadyPaid => "已缴纳本年度培训费，无需重复缴费",
            ErrorCode::PaymentUnavailable => {
                "缴费平台暂时无法连接，订单已保存，请稍后在“我的订单”中继续支付"
            }
            ErrorCode::OrderSettled => "该订单已支付，无需再次支付",
            ErrorCode::NotUnitStaff => "所选人员不是本单位的学员",
            ErrorCode::BadSignature => "签名无效",
            ErrorCode::AmountMismatch => "金额与订单不一致",
            ErrorCode::WrongTrade => "该专业课程不属于您的工种",
            ErrorCode::AlreadySelected => "该课程已在您的学习计划中",
            ErrorCode::PlanComplete => "已选课程学时已达到本年度要求",
            ErrorCode::CourseStarted => "该课程已有学习记录，不能移出学习计划",
            ErrorCode::InvalidChoice => "请选择有效的答案",
            ErrorCode::AlreadyAnswered => "本题已作答",
            ErrorCode::AttemptFinished => "本次练习已结束，请重新开始练习",
            ErrorCode::NothingToRetry => "上次练习没有答错的题目",
            ErrorCode::UnsupportedFileType => "文件类型不支持",
            ErrorCode::FileTooLarge => "文件过大",
            ErrorCode::CourseIncomplete => "课程内容还不完整，暂不能发布",
            ErrorCode::LessonStudied => {
                "已有学员学习过该课时，删除会使他们失去已获得的学时，因此不能删除；可以修改课时内容"
            }
            ErrorCode::QuestionAnswered => "已有学员做过这道题，因此不能删除；可以修改题目内容",
            ErrorCode::NotCompleted => "该年度的学时尚未完成，还不能出具学时证明",
            ErrorCode::InvalidOrder => "排序应包含本课程的全部条目，且每项只出现一次",
            ErrorCode::InvalidImport => "文件中有错误，未导入任何题目，请修改后重新导入",
            ErrorCode::ServerBusy => "当前登录和注册的人较多，请几秒后再试",
            ErrorCode::RequestTimeout => "服务器处理超时，请稍后再试",
            ErrorCode::CrossOrigin => "该请求来自其他网站，已拒绝。请在勤学平台的页面上操作",
            ErrorCode::UriTooLong => "请求的网址过长",
            ErrorCode::HeadersTooLarge => "请求头过大，请清除本站的 Cookie 后重试",
            ErrorCode::WrongPin => "签到码不正确，请看监考员屏幕上的 6 位数字",
            ErrorCode::SeatOnly => "座位登录只能用于本场集中学习，不能打开个人账户",
            ErrorCode::SeatEnded => "本座位已退出登录，如需继续学习请重新签到",
            ErrorCode::SeatMoved => "您已在另一个座位签到，本座位已退出",
            ErrorCode::RoomNotOpen => "本场集中学习还没有开始，请等待监考员开始签到",
            ErrorCode::RoomClosed => "本场集中学习已结束",
            ErrorCode::RoomFull => "本场座位已满，请联系监考员",
            ErrorCode::NotInRegion => "您不属于本场集中学习的地区，请联系监考员或所在单位",
            ErrorCode::NotAssigned => "您不在本场集中学习的名单中，请联系监考员或所在单位",
            ErrorCode::RollCallOpen => "上一次点名还没有结束",
            ErrorCode::SessionStarted => "集中学习已开始或已结束，不能再修改或取消",
            ErrorCode::NotClosed => "集中学习结束后才能更正学时",
            ErrorCode::UnknownProctor => "没有这个监考员，或不属于您管理的地区",
            ErrorCode::ActivityDecided => "该活动已审批，不能再修改",
            ErrorCode::ActivityNotApproved => "活动经省工考办批准后才能上传签到名单",
            ErrorCode::AlreadyCredited => "此人本次活动的学时已登记，不能重复上传",
            ErrorCode::CapReached => "此人本年度的补充活动学时已达上限",
            ErrorCode::PasswordChangeRequired => "请先设置您自己的新密码，然后再继续使用",
            ErrorCode::Internal => "服务器繁忙，请稍后再试",
        }
    }
}
