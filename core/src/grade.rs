//! Skill grades (技能等级) of 工勤人员, which decide the required 学时 and the fee.

use serde::{Deserialize, Serialize};

/// A trainee's skill grade for a year. Graded staff need 42 学时 and pay 126 元; ungraded
/// staff need 24 学时 and pay 72 元 (闽人社文〔2017〕132号, sections 二 and 六).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// 初级工
    Junior,
    /// 中级工
    Intermediate,
    /// 高级工
    Senior,
    /// 技师
    Technician,
    /// 高级技师
    SeniorTechnician,
    /// 未定级
    Ungraded,
}

impl Grade {
    /// Every grade, in the order forms list them.
    pub const ALL: [Grade; 6] = [
        Grade::Junior,
        Grade::Intermediate,
        Grade::Senior,
        Grade::Technician,
        Grade::SeniorTechnician,
        Grade::Ungraded,
    ];

    /// Whether the person holds one of the five skill grades.
    pub fn is_graded(self) -> bool {
        self != Grade::Ungraded
    }

    /// The wire name, also used as the stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Junior => "junior",
            Grade::Intermediate => "intermediate",
            Grade::Senior => "senior",
            Grade::Technician => "technician",
            Grade::SeniorTechnician => "senior_technician",
            Grade::Ungraded => "ungraded",
        }
    }

    /// Parses the wire name.
    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }

    /// The Chinese name people know.
    pub fn label(self) -> &'static str {
        match self {
            Grade::Junior => "初级工",
            Grade::Intermediate => "中级工",
            Grade::Senior => "高级工",
            Grade::Technician => "技师",
            Grade::SeniorTechnician => "高级技师",
            Grade::Ungraded => "未定级",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_through_serde_and_from_wire() {
        for g in Grade::ALL {
            let json = serde_json::to_string(&g).unwrap();
            assert_eq!(json, format!("\"{}\"", g.as_str()));
            assert_eq!(serde_json::from_str::<Grade>(&json).unwrap(), g);
            assert_eq!(Grade::from_wire(g.as_str()), Some(g));
        }
        assert_eq!(Grade::from_wire("master"), None);
    }

    #[test]
    fn only_ungraded_is_not_graded() {
        assert_eq!(Grade::ALL.iter().filter(|g| !g.is_graded()).count(), 1);
        assert!(!Grade::Ungraded.is_graded());
    }
}
