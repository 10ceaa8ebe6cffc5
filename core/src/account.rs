//! Who uses the platform, how they are employed, and the rules for the fields of an account.

use serde::{Deserialize, Serialize};

/// What an account may do. Checked by the server on every route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 学员
    Trainee,
    /// 单位管理员: the employer's HR, for one unit.
    UnitAdmin,
    /// 市/县工考办: scoped to a region subtree.
    OfficeAdmin,
    /// Runs supervised group sessions.
    Proctor,
    /// 省工考办
    ProvincialAdmin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Trainee,
        Role::UnitAdmin,
        Role::OfficeAdmin,
        Role::Proctor,
        Role::ProvincialAdmin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Trainee => "trainee",
            Role::UnitAdmin => "unit_admin",
            Role::OfficeAdmin => "office_admin",
            Role::Proctor => "proctor",
            Role::ProvincialAdmin => "provincial_admin",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Trainee => "学员",
            Role::UnitAdmin => "单位管理员",
            Role::OfficeAdmin => "工考办管理员",
            Role::Proctor => "监考员",
            Role::ProvincialAdmin => "省工考办管理员",
        }
    }
}

/// How a trainee is employed; all three may register (policy section 一).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EmploymentType {
    /// 在编在岗
    InPost,
    /// 劳务派遣
    Dispatched,
    /// 聘用合同
    Contract,
}

impl EmploymentType {
    pub const ALL: [EmploymentType; 3] = [
        EmploymentType::InPost,
        EmploymentType::Dispatched,
        EmploymentType::Contract,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EmploymentType::InPost => "in_post",
            EmploymentType::Dispatched => "dispatched",
            EmploymentType::Contract => "contract",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            EmploymentType::InPost => "在编在岗",
            EmploymentType::Dispatched => "劳务派遣",
            EmploymentType::Contract => "聘用合同",
        }
    }
}

/// Trades (工种) of 工勤技能岗位 that the platform offers courses for. A trainee picks one
/// at registration; it orders the catalogue for them.
pub const TRADES: [&str; 24] = [
    "汽车驾驶员",
    "电工",
    "中式烹调师",
    "中式面点师",
    "保安员",
    "绿化工",
    "计算机操作员",
    "打字员",
    "收发员",
    "档案管理员",
    "管道工",
    "锅炉操作工",
    "电梯维修工",
    "制冷工",
    "木工",
    "保育员",
    "医院护理员",
    "客房服务员",
    "餐厅服务员",
    "话务员",
    "仓库保管员",
    "印刷工",
    "广播电视机务员",
    "保洁员",
];

/// Limits of free-text fields, shared by the form and the server.
pub const NAME_MAX_CHARS: usize = 30;
pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// Why a name is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("请填写姓名")]
    Empty,
    #[error("姓名最多30个字")]
    TooLong,
    #[error("姓名不能包含数字或特殊符号")]
    Characters,
}

/// A person's name as on their 身份证: trimmed, 1–30 characters, letters (any script), the
/// middle dot used in minority names, and spaces.
pub fn parse_name(input: &str) -> Result<String, NameError> {
    let name = input.trim();
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(NameError::TooLong);
    }
    if !name
        .chars()
        .all(|c| c.is_alphabetic() || c == '·' || c == '•' || c == ' ')
    {
        return Err(NameError::Characters);
    }
    Ok(name.to_owned())
}

/// Why a password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("密码至少8位")]
    TooShort,
    #[error("密码最多128位")]
    TooLong,
    #[error("密码不能与身份证号或手机号相同")]
    SameAsIdentity,
}

/// Password policy: 8–128 characters and not the person's own 身份证号 or phone number,
/// the first things anyone would try.
pub fn check_password(password: &str, id_number: &str, phone: &str) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if n < PASSWORD_MIN_CHARS {
        return Err(PasswordError::TooShort);
    }
    if n > PASSWORD_MAX_CHARS {
        return Err(PasswordError::TooLong);
    }
    let lower = password.to_ascii_uppercase();
    if lower == id_number.trim().to_ascii_uppercase() || password == phone.trim() {
        return Err(PasswordError::SameAsIdentity);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_allow_chinese_and_minority_dots_but_not_digits() {
        assert_eq!(parse_name(" 张三 ").unwrap(), "张三");
        assert!(parse_name("阿依古丽·买买提").is_ok());
        assert_eq!(parse_name("  "), Err(NameError::Empty));
        assert_eq!(parse_name("张3"), Err(NameError::Characters));
        assert_eq!(parse_name(&"张".repeat(31)), Err(NameError::TooLong));
    }

    #[test]
    fn passwords_need_eight_characters_and_not_the_id() {
        assert_eq!(
            check_password("1234567", "", ""),
            Err(PasswordError::TooShort)
        );
        assert!(check_password("Demo@2017", "350502198001011235", "13800138000").is_ok());
        assert_eq!(
            check_password("35050219800101123x", "35050219800101123X", ""),
            Err(PasswordError::SameAsIdentity)
        );
        assert_eq!(
            check_password("13800138000", "", "13800138000"),
            Err(PasswordError::SameAsIdentity)
        );
        assert_eq!(
            check_password(&"a".repeat(129), "", ""),
            Err(PasswordError::TooLong)
        );
    }

    #[test]
    fn roles_and_employment_types_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_wire(r.as_str()), Some(r));
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                format!("\"{}\"", r.as_str())
            );
        }
        for e in EmploymentType::ALL {
            assert_eq!(EmploymentType::from_wire(e.as_str()), Some(e));
            assert_eq!(
                serde_json::to_string(&e).unwrap(),
                format!("\"{}\"", e.as_str())
            );
        }
    }
}
