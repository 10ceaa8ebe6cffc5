//! Course catalogue vocabulary, and the 学时 arithmetic shown to people.

use serde::{Deserialize, Serialize};

/// 公共知识 or 工种专业理论 (policy section 四).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CourseCategory {
    Public,
    Trade,
}

impl CourseCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            CourseCategory::Public => "public",
            CourseCategory::Trade => "trade",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        match s {
            "public" => Some(CourseCategory::Public),
            "trade" => Some(CourseCategory::Trade),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CourseCategory::Public => "公共知识",
            CourseCategory::Trade => "专业理论",
        }
    }
}

/// Practice question types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// One right option.
    Single,
    /// Two or more right options.
    Multiple,
    /// 正确 (0) or 错误 (1).
    TrueFalse,
}

impl QuestionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::Single => "single",
            QuestionKind::Multiple => "multiple",
            QuestionKind::TrueFalse => "true_false",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        match s {
            "single" => Some(QuestionKind::Single),
            "multiple" => Some(QuestionKind::Multiple),
            "true_false" => Some(QuestionKind::TrueFalse),
            _ => None,
        }
    }
}

/// The options of a true/false question.
pub const TRUE_FALSE_OPTIONS: [&str; 2] = ["正确", "错误"];

/// Credited seconds as 学时 with one decimal, rounded down so that a trainee is never shown
/// more than they have: 2700 s at 45 min a 学时 is `1.0`, 2699 s is `0.9`.
pub fn format_hours(secs: i64, minutes_per_hour: u32) -> String {
    let per_tenth = i64::from(minutes_per_hour.max(1)) * 6;
    let tenths = secs.max(0) / per_tenth;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// An anti-idle check: a small sum with four answers to tap. Text only, so a screen reader
/// reads it aloud; large buttons, so it works by touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub prompt: String,
    pub options: Vec<String>,
    pub answer: String,
}

impl Challenge {
    /// A challenge made from a random draw.
    pub fn from_draw(draw: u64) -> Self {
        let a = 1 + (draw % 9) as i64;
        let b = 1 + ((draw / 9) % 9) as i64;
        let sum = a + b;
        let mut options: Vec<i64> = vec![sum, sum + 1, sum - 1, sum + 2];
        let rotate = ((draw / 81) % 4) as usize;
        options.rotate_left(rotate);
        Self {
            prompt: format!("请计算：{a} + {b} = ？"),
            options: options.iter().map(ToString::to_string).collect(),
            answer: sum.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hours_are_shown_with_one_decimal_rounded_down() {
        assert_eq!(format_hours(2700, 45), "1.0");
        assert_eq!(format_hours(2699, 45), "0.9");
        assert_eq!(format_hours(42 * 2700, 45), "42.0");
        assert_eq!(format_hours(0, 45), "0.0");
        assert_eq!(format_hours(-5, 45), "0.0");
    }

    proptest! {
        #[test]
        fn every_challenge_offers_its_answer_once_among_four(draw in any::<u64>()) {
            let c = Challenge::from_draw(draw);
            prop_assert_eq!(c.options.len(), 4);
            prop_assert_eq!(c.options.iter().filter(|o| **o == c.answer).count(), 1);
            prop_assert!(c.prompt.contains('+'));
        }
    }
}
