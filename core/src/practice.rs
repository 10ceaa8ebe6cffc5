//! Course selection and practice: the wire types and the grading rules, shared so that the
//! front end can give the same immediate feedback the server records.

use crate::api::Course;
use crate::catalogue::QuestionKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// A trainee's courses for a year (`GET /api/selections`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Plan {
    pub year: i32,
    /// 学时 the trainee's grade requires (42 or 24).
    pub required_hours: u32,
    /// 学时 of the selected courses.
    pub planned_hours: u32,
    /// Courses can be added until the registration deadline.
    pub registration_open: bool,
    pub courses: Vec<Course>,
}

impl Plan {
    pub fn complete(&self) -> bool {
        self.planned_hours >= self.required_hours
    }
}

/// `POST /api/selections`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SelectCourse {
    pub course_id: i64,
}

/// A practice question as the trainee sees it: no answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PracticeQuestion {
    pub id: i64,
    pub kind: QuestionKind,
    pub stem: String,
    /// For true/false questions: `["正确", "错误"]`.
    pub options: Vec<String>,
}

/// `POST /api/courses/{id}/practice`: start an attempt, on every question or only on those
/// answered wrongly in an earlier attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StartPractice {
    /// Retry only the questions this earlier attempt got wrong.
    pub retry_wrong_of: Option<i64>,
}

/// An attempt in progress or finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Attempt {
    pub id: i64,
    pub course_id: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub questions: Vec<PracticeQuestion>,
    /// The answers given so far, graded.
    pub answers: Vec<GradedAnswer>,
    /// Percent right of all the attempt's questions, once finished.
    pub score: Option<u32>,
}

/// `POST /api/practice/{attempt}/answers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AnswerQuestion {
    pub question_id: i64,
    /// 0-based indexes of the chosen options.
    pub chosen: Vec<usize>,
}

/// The immediate feedback on one answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GradedAnswer {
    pub question_id: i64,
    pub chosen: Vec<usize>,
    pub correct: bool,
    /// The right options.
    pub answer: Vec<usize>,
    pub explanation: String,
}

/// One line of the attempt history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AttemptSummary {
    pub id: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub questions: u32,
    pub correct: u32,
    pub score: Option<u32>,
}

/// Why a choice cannot be graded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ChoiceError {
    #[error("请选择答案")]
    Empty,
    #[error("所选选项不存在")]
    OutOfRange,
    #[error("单选题只能选一个答案")]
    TooMany,
}

/// Checks a choice against a question's options: at least one, each existing, and one only
/// where the kind allows one. Duplicates are removed and the indexes sorted.
pub fn normalise_choice(
    kind: QuestionKind,
    options: usize,
    chosen: &[usize],
) -> Result<Vec<usize>, ChoiceError> {
    let mut c = chosen.to_vec();
    c.sort_unstable();
    c.dedup();
    if c.is_empty() {
        return Err(ChoiceError::Empty);
    }
    if c.iter().any(|i| *i >= options) {
        return Err(ChoiceError::OutOfRange);
    }
    if kind != QuestionKind::Multiple && c.len() > 1 {
        return Err(ChoiceError::TooMany);
    }
    Ok(c)
}

/// A choice is right when it is exactly the set of right options: a multiple-choice answer
/// with one right option missing, or one wrong option added, is wrong.
pub fn is_correct(answer: &[usize], normalised_choice: &[usize]) -> bool {
    let mut a = answer.to_vec();
    a.sort_unstable();
    a.dedup();
    a == normalised_choice
}

/// Nominal study time of one practice question: reading it, answering and reading the
/// explanation.
pub const PRACTICE_SECS_PER_QUESTION: i64 = 60;

/// The nominal length of a course's practice lesson (`LessonKind::Practice`): like any lesson,
/// it never earns more.
pub fn practice_duration_secs(questions: usize) -> i64 {
    i64::try_from(questions)
        .unwrap_or(i64::MAX)
        .saturating_mul(PRACTICE_SECS_PER_QUESTION)
}

/// Percent right, rounded down.
pub fn score(correct: u32, total: u32) -> u32 {
    (correct * 100).checked_div(total).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_multiple_choice_answer_must_be_exactly_the_right_set() {
        let right = [0, 2];
        assert!(is_correct(
            &right,
            &normalise_choice(QuestionKind::Multiple, 4, &[2, 0, 2]).unwrap()
        ));
        assert!(!is_correct(
            &right,
            &normalise_choice(QuestionKind::Multiple, 4, &[0]).unwrap()
        ));
        assert!(!is_correct(
            &right,
            &normalise_choice(QuestionKind::Multiple, 4, &[0, 1, 2]).unwrap()
        ));
    }

    #[test]
    fn bad_choices_are_named() {
        assert_eq!(
            normalise_choice(QuestionKind::Single, 4, &[]),
            Err(ChoiceError::Empty)
        );
        assert_eq!(
            normalise_choice(QuestionKind::Single, 4, &[4]),
            Err(ChoiceError::OutOfRange)
        );
        assert_eq!(
            normalise_choice(QuestionKind::TrueFalse, 2, &[0, 1]),
            Err(ChoiceError::TooMany)
        );
    }

    #[test]
    fn scores_are_whole_percent_rounded_down() {
        assert_eq!(score(2, 3), 66);
        assert_eq!(score(12, 12), 100);
        assert_eq!(score(0, 0), 0);
    }

    proptest! {
        #[test]
        fn the_right_answer_in_any_order_is_always_right(mut answer in proptest::collection::vec(0usize..5, 1..5)) {
            answer.sort_unstable();
            answer.dedup();
            let mut shuffled = answer.clone();
            shuffled.reverse();
            let choice = normalise_choice(QuestionKind::Multiple, 5, &shuffled).unwrap();
            prop_assert!(is_correct(&answer, &choice));
        }
    }
}
