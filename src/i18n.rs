//! Every piece of text the interface shows, in one place, so that another locale can be added
//! by writing one more [`Text`] value and choosing it in [`t`].
//!
//! Words that belong to the domain (grade, role and employment-type names, validation
//! messages, the policy's numbers) come from `qinxue_core`, so that the form and the server can
//! never disagree; this module only holds the words around them.

use chrono::Datelike;
use qinxue_core::PolicyYear;

/// One help line: who answers, and their numbers.
pub struct HelpLine {
    pub topic: &'static str,
    pub phones: &'static [HelpPhone],
}

/// A number people can call; `note` says what it is for when one line has several.
pub struct HelpPhone {
    pub number: &'static str,
    pub note: Option<&'static str>,
}

/// A question people ask, answered from the policy year's settings.
pub struct Faq {
    pub question: &'static str,
    pub answer: fn(&PolicyYear) -> String,
}

/// One step of the year for a visitor (register, pay, choose, study, certificate), its words
/// drawn from the year in force.
pub struct Step {
    pub title: &'static str,
    pub detail: fn(&PolicyYear) -> String,
}

/// A deadline day as the help page and the home page both say it, e.g. `10月31日`. By hand:
/// chrono's strftime machinery costs the web bundle tens of KB.
pub fn month_day(day: chrono::NaiveDate) -> String {
    format!("{}月{}日", day.month(), day.day())
}

/// The interface text of one locale.
pub struct Text {
    pub app_name: &'static str,
    pub app_subtitle: &'static str,
    pub skip_to_content: &'static str,
    pub nav_label: &'static str,
    pub nav_home: &'static str,
    pub nav_help: &'static str,
    pub nav_study: &'static str,
    pub nav_login: &'static str,
    pub nav_register: &'static str,
    pub nav_logout: &'static str,
    pub large_text: &'static str,
    pub large_text_hint: &'static str,
    pub footer_policy: &'static str,
    pub footer_hotline: &'static str,
    pub loading: &'static str,
    pub retry: &'static str,
    pub network_error: &'static str,
    pub unexpected_answer: &'static str,
    pub server_status: fn(u16) -> String,
    pub page_title: fn(&str) -> String,

    pub login_title: &'static str,
    pub login_field: &'static str,
    pub login_placeholder: &'static str,
    pub login_required: &'static str,
    pub password: &'static str,
    pub password_required: &'static str,
    pub login_submit: &'static str,
    pub login_submitting: &'static str,
    pub login_no_account: &'static str,
    pub login_again: &'static str,
    pub login_to_register: &'static str,
    pub login_forgot: &'static str,
    pub login_forgot_help: &'static str,
    pub new_password_title: &'static str,
    pub new_password_intro: &'static str,
    pub current_password: &'static str,
    pub new_password: &'static str,
    pub new_password_repeat: &'static str,
    pub new_password_mismatch: &'static str,
    pub new_password_submit: &'static str,
    pub new_password_done: &'static str,

    pub register_title: &'static str,
    pub register_intro: &'static str,
    pub id_number: &'static str,
    pub id_number_hint: &'static str,
    pub name: &'static str,
    pub phone: &'static str,
    pub password_hint: fn(usize) -> String,
    pub password_confirm: &'static str,
    pub password_mismatch: &'static str,
    pub unit_legend: &'static str,
    pub city: &'static str,
    pub county: &'static str,
    pub any_city: &'static str,
    pub province_units: fn(&str) -> String,
    pub any_county: &'static str,
    pub unit: &'static str,
    pub unit_hint: &'static str,
    pub unit_search: &'static str,
    pub unit_search_hint: &'static str,
    pub unit_option: fn(&str, &str) -> String,
    pub no_units_here: &'static str,
    pub employment_type: &'static str,
    pub trade: &'static str,
    pub grade: &'static str,
    pub grade_hint: &'static str,
    pub choose: &'static str,
    pub choose_employment_type: &'static str,
    pub choose_grade: &'static str,
    pub fix_errors: &'static str,
    pub register_submit: &'static str,
    pub register_submitting: &'static str,
    pub have_account: &'static str,
    pub register_to_login: &'static str,
    pub go_to_login: &'static str,

    pub welcome_title: &'static str,
    pub welcome_text: &'static str,
    pub welcome_register: &'static str,
    pub steps_title: fn(i32) -> String,
    pub steps: &'static [Step],
    pub greeting: fn(&str) -> String,
    pub year_title: fn(i32) -> String,
    pub required_hours: &'static str,
    pub hours_value: fn(u32) -> String,
    pub fee: &'static str,
    pub yuan_value: fn(&str) -> String,
    pub registration_deadline: &'static str,
    pub study_deadline: &'static str,
    pub closed: &'static str,
    pub your_profile: &'static str,
    pub your_grade: &'static str,
    pub your_id_number: &'static str,
    pub your_unit: &'static str,
    pub your_trade: &'static str,
    pub your_role: &'static str,
    pub your_region: &'static str,
    pub to_admin: &'static str,
    pub no_year: &'static str,
    pub session_failed: &'static str,

    pub help_title: &'static str,
    pub help_contacts: &'static str,
    pub help_lines: &'static [HelpLine],
    pub help_faq: &'static str,
    pub faqs: &'static [Faq],

    pub not_found_title: &'static str,
    pub not_found_text: &'static str,
    pub back_home: &'static str,

    pub study_title: &'static str,
    pub go_study: &'static str,
    pub year_hours: fn(i32) -> String,
    pub years_title: &'static str,
    pub year_label: fn(i32) -> String,
    pub ring_label: fn(i64) -> String,
    pub year_completed_on: fn(&str) -> String,
    pub year_missing: fn(&str) -> String,
    pub year_overdue: &'static str,
    pub year_unpaid: &'static str,
    pub year_unpaid_closed: &'static str,
    pub earliest_first: &'static str,
    pub reminders_title: &'static str,
    pub certificate_link: &'static str,
    pub hours_done: fn(&str, u32) -> String,
    pub not_enrolled: fn(i32) -> String,
    pub my_courses: &'static str,
    pub lesson_kind_text: &'static str,
    pub lesson_kind_video: &'static str,
    pub lesson_kind_practice: &'static str,

    pub nav_courses: &'static str,
    pub catalogue_title: &'static str,
    pub catalogue_list: &'static str,
    pub selection_rules: &'static str,
    pub search_title: &'static str,
    pub search_placeholder: &'static str,
    pub category: &'static str,
    pub any_category: &'static str,
    pub any_trade: &'static str,
    pub search: &'static str,
    pub courses_found: fn(usize) -> String,
    pub no_courses_found: &'static str,
    pub for_trades: fn(&str) -> String,
    pub select_course: &'static str,
    pub selected: &'static str,
    pub plan_title: fn(i32) -> String,
    pub plan_hours: fn(u32, u32) -> String,
    pub plan_complete: &'static str,
    pub plan_closed: &'static str,
    pub plan_empty: &'static str,
    pub go_select: &'static str,
    pub unselect_course: &'static str,

    pub practice_intro: &'static str,
    pub practice_start: &'static str,
    pub practice_again: &'static str,
    pub practice_retry_wrong: &'static str,
    pub question_of: fn(usize, usize) -> String,
    pub question_single: &'static str,
    pub question_multiple: &'static str,
    pub question_true_false: &'static str,
    pub submit_answer: &'static str,
    pub choose_answer: &'static str,
    pub answer_right: &'static str,
    pub answer_wrong: fn(&str) -> String,
    pub explanation: fn(&str) -> String,
    pub next_question: &'static str,
    pub finish_practice: &'static str,
    pub score_title: &'static str,
    pub score_value: fn(u32) -> String,
    pub score_detail: fn(usize, usize) -> String,
    pub wrong_review: &'static str,
    pub history_title: &'static str,
    pub history_empty: &'static str,
    pub history_row: fn(&str, u32, u32) -> String,
    pub unfinished: &'static str,
    pub duration: fn(i64) -> String,
    pub lesson_done: fn(i64) -> String,

    pub lesson_credited_label: &'static str,
    pub lesson_credited: fn(i64, i64) -> String,
    pub year_credited_label: &'static str,
    pub status_starting: &'static str,
    pub status_running: &'static str,
    pub status_hidden: &'static str,
    pub status_retrying: fn(u32) -> String,
    pub status_confirming: &'static str,
    pub status_press_play: &'static str,
    pub status_rewatching: &'static str,
    pub status_check: &'static str,
    pub status_lesson_full: &'static str,
    pub status_day_capped: &'static str,
    pub check_new: &'static str,
    pub next_lesson: &'static str,
    pub selection_closed: &'static str,
    pub not_your_trade: fn(Option<&str>) -> String,
    pub unselect_confirm: fn(&str) -> String,
    pub unselect_yes: &'static str,
    pub unselect_no: &'static str,
    pub unselected: fn(&str) -> String,
    pub continue_study: &'static str,
    pub continue_in: fn(&str) -> String,
    pub course_finished: &'static str,
    pub no_credit: &'static str,
    pub continue_here: &'static str,
    pub transcript: &'static str,
    pub video_unsupported: &'static str,
    pub seek_blocked: &'static str,
    pub fast_playback: &'static str,
    pub check_help: fn(i64) -> String,
    pub check_left: fn(i64) -> String,
    pub check_timed_out: &'static str,
    pub check_passed: &'static str,

    pub nav_orders: &'static str,
    pub go_enrol: &'static str,
    pub enrol_needed: fn(i32) -> String,
    pub enrol_title: &'static str,
    pub enrol_sign_in: &'static str,
    pub enrol_by_unit: &'static str,
    pub enrol_year: &'static str,
    pub enrolled: fn(i32) -> String,
    pub enrol_closed: &'static str,
    pub pending_order: fn(&str, &str) -> String,
    pub unit_order_pending: &'static str,
    pub pay_note: &'static str,
    pub go_pay: &'static str,
    pub continue_pay: &'static str,
    pub pay_again: &'static str,
    pub going_to_pay: &'static str,
    pub enrol_no_courses: &'static str,
    pub enrol_courses_total: fn(usize, u32) -> String,
    pub choose_courses: &'static str,
    pub pay_result_title: &'static str,
    pub no_order: &'static str,
    pub pay_pending: &'static str,
    pub pay_checking: &'static str,
    pub pay_still_pending: &'static str,
    pub check_again: &'static str,
    pub pay_success: &'static str,
    pub pay_success_text: fn(i32) -> String,
    pub unit_pay_success: &'static str,
    pub pay_refund: &'static str,
    pub refund_due: fn(&str, &str) -> String,
    pub pay_cancelled: &'static str,
    pub pay_failed: &'static str,
    pub pay_again_note: &'static str,
    pub order_amount: fn(&str, &str) -> String,
    pub unit_orders: &'static str,
    pub orders_title: &'static str,
    pub orders_empty: &'static str,
    pub order_heading: fn(i32, &str) -> String,
    pub order_no: &'static str,
    pub amount: &'static str,
    pub created_at: &'static str,
    pub paid_at: &'static str,
    pub paying_unit: &'static str,
    pub receipt_no: &'static str,
}

/// Simplified Chinese, the platform's language.
pub const ZH_CN: Text = Text {
    app_name: "勤学",
    app_subtitle: "工勤人员岗位继续教育",
    skip_to_content: "跳到正文",
    nav_label: "主导航",
    nav_home: "首页",
    nav_help: "帮助",
    nav_study: "我的学习",
    nav_login: "登录",
    nav_register: "注册",
    nav_logout: "退出",
    large_text: "大字",
    large_text_hint: "放大页面文字",
    footer_policy: "依据《关于开展全省机关事业单位工勤人员岗位继续教育工作的通知》（闽人社文〔2017〕132号）",
    footer_hotline: "培训客服中心：968823",
    loading: "正在加载…",
    retry: "重试",
    network_error: "无法连接服务器，请检查网络后重试",
    unexpected_answer: "服务器返回的内容无法识别，请稍后再试",
    server_status: |status| format!("服务器暂时无法处理（{status}），请稍后再试"),
    page_title: |page| format!("{page} · 勤学"),

    login_title: "登录",
    login_field: "账号",
    login_placeholder: "身份证号 / 手机号 / 用户名",
    login_required: "请填写身份证号、手机号或用户名",
    password: "密码",
    password_required: "请填写密码",
    login_submit: "登录",
    login_submitting: "正在登录…",
    login_no_account: "还没有账号？",
    login_again: "您的登录已过期或已在别处退出，请重新登录。登录后回到您刚才的页面。",
    login_to_register: "注册学员账号",
    login_forgot: "忘记密码？",
    login_forgot_help: "请带上身份证，找本单位的人事（单位管理员）或当地工考办，核实身份后为您重置密码。他们会给您一个一次性密码：用它登录后，按提示设置您自己的新密码即可。",
    new_password_title: "设置新密码",
    new_password_intro: "您用的是单位或工考办给的一次性密码。请先设置一个只有您自己知道的新密码，设置后才能继续学习。",
    current_password: "一次性密码（或原密码）",
    new_password: "新密码",
    new_password_repeat: "再输入一次新密码",
    new_password_mismatch: "两次输入的新密码不一样，请重新输入",
    new_password_submit: "保存新密码",
    new_password_done: "新密码已设置，正在进入首页…",

    register_title: "注册学员账号",
    register_intro: "请按身份证上的信息如实填写，每一项都要填。",
    id_number: "身份证号",
    id_number_hint: "18位，最后一位可能是字母X",
    name: "姓名",
    phone: "手机号",
    password_hint: |min| format!("至少{min}位，不能与身份证号或手机号相同"),
    password_confirm: "再次输入密码",
    password_mismatch: "两次输入的密码不一致",
    unit_legend: "工作单位",
    city: "所在城市",
    county: "所在区县",
    any_city: "全部城市",
    province_units: |province| format!("{province}省直单位"),
    any_county: "全部区县（可不选）",
    unit: "单位名称",
    unit_hint: "先选城市和区县，或在上面输入单位名称，单位列表会缩短",
    unit_search: "按名称查找单位（可不填）",
    unit_search_hint: "输入单位名称中的几个字，例如“机关事务”",
    unit_option: |unit, place| format!("{unit}（{place}）"),
    no_units_here: "没有找到单位，请换一个区县或城市，或少输几个字",
    employment_type: "用工形式",
    trade: "工种",
    grade: "技能等级",
    grade_hint: "初级工至高级技师为已定级；没有取得等级的选“未定级”",
    choose: "请选择",
    choose_employment_type: "请选择用工形式",
    choose_grade: "请选择技能等级",
    fix_errors: "填写的内容有误，请按红字提示修改",
    register_submit: "注册",
    register_submitting: "正在提交…",
    have_account: "已有账号？",
    register_to_login: "直接登录",
    go_to_login: "去登录",

    welcome_title: "欢迎来到勤学",
    welcome_text: "机关事业单位工勤人员（含劳务派遣、聘用合同人员）岗位继续教育平台。在手机、平板或电脑上都能报名和学习。",
    welcome_register: "注册新账号",
    steps_title: |year| format!("{year}年度怎样完成岗位继续教育"),
    steps: &[
        Step {
            title: "注册",
            detail: |_| "用身份证号注册，选好工作单位、工种和技能等级。".to_owned(),
        },
        Step {
            title: "报名缴费",
            detail: |p| {
                format!(
                    "{}前缴费：已定级人员{}元，未定级人员{}元。可以自己在网上缴费，也可以由单位统一缴费。",
                    month_day(p.registration_deadline),
                    qinxue_core::money::format_yuan(p.graded_fee_fen),
                    qinxue_core::money::format_yuan(p.ungraded_fee_fen)
                )
            },
        },
        Step {
            title: "选课",
            detail: |p| {
                format!(
                    "选够本年度的学时：已定级人员{}学时，未定级人员{}学时。",
                    p.graded_hours, p.ungraded_hours
                )
            },
        },
        Step {
            title: "学习",
            detail: |p| {
                format!(
                    "在{}前学完，每{}分钟有效学习计1学时，课后练习也计学时。",
                    month_day(p.study_deadline),
                    p.minutes_per_hour
                )
            },
        },
        Step {
            title: "学时证明",
            detail: |_| "学完后在首页下载学时证明，扫码即可核验。".to_owned(),
        },
    ],
    greeting: |name| format!("您好，{name}"),
    year_title: |year| format!("{year}年度培训要求"),
    required_hours: "应完成学时",
    hours_value: |hours| format!("{hours} 学时"),
    fee: "培训费用",
    yuan_value: |yuan| format!("{yuan} 元"),
    registration_deadline: "报名缴费截止",
    study_deadline: "学习截止",
    closed: "（已截止）",
    your_profile: "我的信息",
    your_grade: "技能等级",
    your_id_number: "身份证号",
    your_unit: "工作单位",
    your_trade: "工种",
    your_role: "您的身份",
    your_region: "管理地区",
    to_admin: "进入管理后台",
    no_year: "本年度培训尚未开放，请留意工考办通知。",
    session_failed: "暂时无法确认登录状态",

    help_title: "帮助",
    help_contacts: "咨询电话",
    help_lines: &[
        HelpLine {
            topic: "报名、网络培训技术问题：岗位继续教育培训客服中心",
            phones: &[
                HelpPhone { number: "968823", note: None },
                HelpPhone { number: "0591-83709510", note: None },
            ],
        },
        HelpLine {
            topic: "缴费技术问题：E缴通 24小时客服热线",
            phones: &[HelpPhone { number: "400-8877-945", note: None }],
        },
        HelpLine {
            topic: "政策咨询：省工考办",
            phones: &[
                HelpPhone { number: "0591-86129007", note: None },
                HelpPhone { number: "0591-87851637", note: None },
                HelpPhone { number: "0591-87821011", note: Some("缴费及发票") },
            ],
        },
        HelpLine {
            topic: "泉州市工考中心",
            phones: &[HelpPhone { number: "0595-22112392", note: None }],
        },
    ],
    help_faq: "常见问题",
    faqs: &[
        Faq {
            question: "每年要学多少学时？",
            answer: |p| {
                format!(
                    "已取得初级工、中级工、高级工、技师或高级技师等级的人员，每年完成{}学时；未定级人员每年完成{}学时。每{}分钟有效学习计1学时。往年没有学完的，要继续学完。",
                    p.graded_hours, p.ungraded_hours, p.minutes_per_hour
                )
            },
        },
        Faq {
            question: "培训费用是多少？怎么交？",
            answer: |p| {
                format!(
                    "已定级人员每人每年{}元，未定级人员每人每年{}元。可以自己在网上报名，通过E缴通公共缴费平台缴费；也可以由单位统一报名缴费。",
                    qinxue_core::money::format_yuan(p.graded_fee_fen),
                    qinxue_core::money::format_yuan(p.ungraded_fee_fen)
                )
            },
        },
        Faq {
            question: "什么时候截止？",
            answer: |p| {
                format!(
                    "{}年度报名缴费截止到{}，必修学时要在{}前学完，都以北京时间当天23:59为准。",
                    p.year,
                    month_day(p.registration_deadline),
                    month_day(p.study_deadline)
                )
            },
        },
        Faq {
            question: "不会上网、没有电脑怎么办？",
            answer: |_| {
                "各级工考办会组织集中上网听课，并指导做好练习。请联系单位或所在地的工考办。"
                    .to_owned()
            },
        },
        Faq {
            question: "学完有什么用？",
            answer: |_| {
                "完成情况是年度考核、升级考核、评审、聘任和续聘的重要依据。没有按规定完成当年必修学时的，不能报考技能等级岗位升级考核、评审。"
                    .to_owned()
            },
        },
    ],

    not_found_title: "页面不存在",
    not_found_text: "您要找的页面不存在，可能是地址输错了。",
    back_home: "返回首页",

    study_title: "我的学习",
    go_study: "开始学习",
    year_hours: |year| format!("{year}年度已完成学时"),
    years_title: "各年度完成情况",
    year_label: |year| format!("{year}年度"),
    ring_label: |percent| format!("已完成 {percent}%"),
    year_completed_on: |date| format!("已于{date}完成"),
    year_missing: |hours| format!("未完成，还差 {hours} 学时"),
    year_overdue: "已过本年度学习截止日期，仍须继续学习补足。",
    year_unpaid: "尚未报名缴费",
    year_unpaid_closed: "未报名缴费，本年度报名已截止",
    earliest_first: "有未完成的年度时，新的学习时间先计入最早未完成的已缴费年度。",
    reminders_title: "提醒",
    certificate_link: "学时证明",
    hours_done: |done, required| format!("{done} / {required} 学时"),
    not_enrolled: |year| {
        format!("您还没有完成{year}年度的报名缴费，现在学习不计入学时。请先报名缴费（也可以由单位统一报名缴费），缴费后学习的时间才计入学时。")
    },
    my_courses: "我的课程",
    lesson_kind_text: "图文",
    lesson_kind_video: "视频",
    lesson_kind_practice: "练习",

    nav_courses: "选课",
    catalogue_title: "选课",
    catalogue_list: "课程列表",
    selection_rules: "选课规则：公共知识课人人可选，专业理论课只能选本人工种的；同一门课只选一次；所选课程的学时够本年度要求后不能再加；报名截止后不能再选课或退选。",
    search_title: "课程名称",
    search_placeholder: "输入课程名称中的字词",
    category: "课程类别",
    any_category: "全部类别",
    any_trade: "全部工种",
    search: "搜索",
    courses_found: |n| format!("共 {n} 门课程"),
    no_courses_found: "没有符合条件的课程，请换个关键词或筛选条件。",
    for_trades: |trades| format!("适用工种：{trades}"),
    select_course: "选课",
    selected: "已选",
    plan_title: |year| format!("{year}年度选课计划"),
    plan_hours: |planned, required| format!("已选 {planned} / 应选 {required} 学时"),
    plan_complete: "所选课程的学时已够本年度要求，可以开始学习了。",
    plan_closed: "报名已截止，选课计划不能再修改。",
    plan_empty: "您还没有选课。请先选课，所选课程的学时要达到本年度要求。",
    go_select: "去选课",
    unselect_course: "退选",

    practice_intro: "逐题作答，每答完一题立即显示对错和解析。在本页练习的时间和阅读课时一样计入学时。",
    practice_start: "开始练习",
    practice_again: "再练一遍",
    practice_retry_wrong: "重做错题",
    question_of: |i, n| format!("第 {i} / {n} 题"),
    question_single: "单选题",
    question_multiple: "多选题：选出全部正确答案",
    question_true_false: "判断题",
    submit_answer: "提交答案",
    choose_answer: "请先选择答案",
    answer_right: "回答正确！",
    answer_wrong: |letters| format!("回答错误。正确答案是 {letters}。"),
    explanation: |why| format!("解析：{why}"),
    next_question: "下一题",
    finish_practice: "交卷，查看成绩",
    score_title: "练习成绩",
    score_value: |score| format!("{score} 分"),
    score_detail: |right, total| format!("答对 {right} 题，共 {total} 题"),
    wrong_review: "答错的题",
    history_title: "练习记录",
    history_empty: "还没有练习记录。",
    history_row: |at, questions, right| format!("{at} · {questions} 题 · 答对 {right} 题"),
    unfinished: "未交卷",
    duration: |secs| {
        if secs < 60 {
            format!("{secs} 秒")
        } else {
            format!("{} 分钟", secs / 60)
        }
    },
    lesson_done: |percent| format!("已学 {percent}%"),

    lesson_credited_label: "本课已学",
    lesson_credited: |secs, duration| {
        format!("{}分{}秒，共 {} 分钟", secs / 60, secs % 60, (duration + 59) / 60)
    },
    year_credited_label: "本年度已完成",
    status_starting: "正在连接，还没有开始计时…",
    status_running: "正在计时：本页面保持在前台即可累计学时。",
    status_hidden: "您离开了本页面，计时已暂停。回到本页面后继续计时。",
    status_retrying: |secs| {
        format!("网络中断，现在没有计时。{secs} 秒后自动重新连接，请检查网络；之前已计的学时不会丢失。")
    },
    status_confirming: "正在确认计时，请稍候…",
    status_press_play: "视频没有播放，现在没有计时。请点击视频上的播放按钮。",
    status_rewatching: "您在重看已看过的部分，这部分不再计时；看到新的内容时继续计时。",
    status_check: "计时已暂停：请回答问题后继续计时。",
    status_lesson_full: "本课学时已计满，不再计时。请学习下一课。",
    status_day_capped: "今日学习已达上限，今天不再计时，请明天再来学习。",
    check_new: "请回答这道新的问题，答对后继续计时。",
    next_lesson: "下一课",
    selection_closed: "本年度选课已截止，不能再选新的课程。",
    not_your_trade: |mine| match mine {
        Some(mine) => format!("这是其他工种的专业课程，您的工种（{mine}）不能选。请选公需课程或本工种的专业课程。"),
        None => "这是专业课程，只有对应工种的学员可以选。您的账号没有登记工种，请联系单位管理员。".to_owned(),
    },
    unselect_confirm: |title| format!("确定要退选《{title}》吗？退选后可以再选回来。"),
    unselect_yes: "确定退选",
    unselect_no: "不退选",
    unselected: |title| format!("已退选《{title}》，它已从您的选课计划中移除。"),
    continue_study: "继续学习",
    continue_in: |course| format!("接着学《{course}》"),
    course_finished: "本课程的最后一课，返回我的学习",
    no_credit: "您仍可以阅读本课内容，但不计学时。",
    continue_here: "在此页面继续学习",
    transcript: "文字稿",
    video_unsupported: "您的浏览器无法播放此视频，请阅读下方的文字稿。",
    seek_blocked: "只能拖到已经看过的位置，请按顺序观看。",
    fast_playback: "可以倍速播放，但学时按实际时间计算，倍速不会多计学时。",
    check_help: |secs| format!("为确认您正在学习，请在 {secs} 秒内点选正确答案，答对后继续计时。"),
    check_left: |secs| format!("剩余 {secs} 秒"),
    check_timed_out: "已超时，正在换一道新的问题…",
    check_passed: "回答正确，继续计时。",

    nav_orders: "我的订单",
    go_enrol: "报名缴费",
    enrol_needed: |year| format!("您还没有完成{year}年度的报名缴费，缴费后学习的时间才计入学时。"),
    enrol_title: "报名缴费",
    enrol_sign_in: "请先登录，再报名缴费。",
    enrol_by_unit: "单位统一报名缴费请在管理后台办理。",
    enrol_year: "培训年度",
    enrolled: |year| format!("您已完成{year}年度报名缴费，学习的时间计入学时。"),
    enrol_closed: "本年度报名缴费已截止，不能再缴费。如有疑问，请联系所在地工考办。",
    pending_order: |no, yuan| {
        format!("您有一笔待支付的订单（订单号 {no}，{yuan} 元），可以继续缴费，不会重复收费。")
    },
    unit_order_pending: "您的单位已为您办理统一缴费，正在等待单位付款。请勿重复缴费；如有疑问，请联系单位。",
    pay_note: "点击后将前往 E缴通 公共缴费平台付款，付款后会自动回到本站。",
    go_pay: "去缴费",
    continue_pay: "继续缴费",
    pay_again: "重新支付",
    going_to_pay: "正在前往缴费平台…",
    enrol_no_courses: "您还没有选课。缴费前后都可以选课。",
    enrol_courses_total: |count, hours| format!("共 {count} 门课程，{hours} 学时"),
    choose_courses: "选课",
    pay_result_title: "缴费结果",
    no_order: "没有找到要查看的订单。请在“我的订单”中查看缴费情况。",
    pay_pending: "正在确认",
    pay_checking: "正在向缴费平台确认支付结果，请稍候…",
    pay_still_pending: "暂时还没有收到缴费平台的结果。如果您已经付款，结果稍后会自动更新，不会重复扣款；请稍后在“我的订单”中查看。",
    check_again: "再查一次",
    pay_success: "缴费成功",
    pay_success_text: |year| format!("{year}年度报名已生效，现在学习的时间计入学时。"),
    unit_pay_success: "单位统一缴费成功，订单中人员的本年度报名已全部生效。",
    pay_refund: "款项已收到，需要退款",
    refund_due: |yuan, reason| format!("有 {yuan} 元需要退回（{reason}），工作人员会与您联系办理退款。"),
    pay_cancelled: "已取消支付",
    pay_failed: "支付没有成功",
    pay_again_note: "订单还没有缴费，可以重新支付。",
    order_amount: |no, yuan| format!("订单号 {no}，金额 {yuan} 元"),
    unit_orders: "单位订单",
    orders_title: "我的订单",
    orders_empty: "您还没有订单。",
    order_heading: |year, kind| format!("{year}年度 · {kind}"),
    order_no: "订单号",
    amount: "金额",
    created_at: "下单时间",
    paid_at: "支付时间",
    paying_unit: "缴费单位",
    receipt_no: "电子票据号",
};

/// The text of the current locale.
pub fn t() -> &'static Text {
    &ZH_CN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_faq_quotes_the_policy_numbers() {
        let policy = PolicyYear::standard(2026);
        let answers: Vec<String> = t().faqs.iter().map(|f| (f.answer)(&policy)).collect();
        assert!(answers[0].contains("42学时") && answers[0].contains("24学时"));
        assert!(answers[1].contains("126.00元") && answers[1].contains("72.00元"));
        assert!(answers[2].contains("10月31日") && answers[2].contains("12月31日"));
    }

    #[test]
    fn the_steps_of_the_year_quote_the_same_deadlines_as_the_faq() {
        let mut policy = PolicyYear::standard(2026);
        policy.registration_deadline = chrono::NaiveDate::from_ymd_opt(2026, 12, 30).unwrap();
        let steps: Vec<String> = t().steps.iter().map(|s| (s.detail)(&policy)).collect();
        assert_eq!(steps.len(), 5);
        assert!(steps[1].contains("12月30日") && steps[1].contains("126.00元"));
        assert!(steps[2].contains("42学时") && steps[2].contains("24学时"));
        assert!(steps[3].contains("12月31日") && steps[3].contains("45分钟"));
        let deadlines = (t().faqs[2].answer)(&policy);
        assert!(deadlines.contains("12月30日") && deadlines.contains("12月31日"));
    }
}
