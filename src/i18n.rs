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
    pub login_to_register: &'static str,

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
    pub hours_done: fn(&str, u32) -> String,
    pub not_enrolled: fn(i32) -> String,
    pub my_courses: &'static str,
    pub lesson_kind_text: &'static str,
    pub lesson_kind_video: &'static str,
    pub lesson_kind_practice: &'static str,

    pub nav_courses: &'static str,
    pub catalogue_title: &'static str,
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
    login_to_register: "注册学员账号",

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
    unit_hint: "先选城市和区县，单位列表会缩短",
    unit_option: |unit, place| format!("{unit}（{place}）"),
    no_units_here: "这里还没有单位，请换一个区县或城市",
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
                // By hand: chrono's strftime machinery costs the web bundle tens of KB.
                let (r, s) = (p.registration_deadline, p.study_deadline);
                format!(
                    "报名缴费截止到每年{}月{}日，必修学时要在{}月{}日前学完，都以北京时间当天23:59为准。",
                    r.month(),
                    r.day(),
                    s.month(),
                    s.day()
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
    status_starting: "正在开始计时…",
    status_running: "正在计时：本页面保持在前台即可累计学时。",
    status_hidden: "页面不在前台，已暂停计时。",
    status_retrying: |secs| format!("网络不稳定，{secs} 秒后重试；已学的时间不会丢失。"),
    no_credit: "您仍可以阅读本课内容，但不计学时。",
    continue_here: "在此页面继续学习",
    transcript: "文字稿",
    video_unsupported: "您的浏览器无法播放此视频，请阅读下方的文字稿。",
    seek_blocked: "只能拖到已经看过的位置，请按顺序观看。",
    fast_playback: "可以倍速播放，但学时按实际时间计算，倍速不会多计学时。",
    check_help: |secs| format!("为确认您正在学习，请在 {secs} 秒内点选正确答案，答对后继续计时。"),
    check_left: |secs| format!("剩余 {secs} 秒"),
    check_timed_out: "已超时，请稍候，新的验证题出现后再回答。",
    check_passed: "回答正确，继续计时。",
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
}
