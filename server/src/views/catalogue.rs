//! Courses as the catalogue and a trainee's plan show them.

use crate::storage::catalogue::{CourseRow, LessonEntry};
use qinxue_core::api::{Course, LessonSummary};

pub fn course(c: CourseRow) -> Course {
    Course {
        id: c.id,
        code: c.code,
        title: c.title,
        category: c.category,
        trades: c.trades,
        hours: c.hours,
        description: c.description,
        cover: c.cover,
        lessons: c.lessons.into_iter().map(lesson).collect(),
    }
}

fn lesson(l: LessonEntry) -> LessonSummary {
    LessonSummary {
        id: l.id,
        title: l.title,
        kind: l.kind,
        duration_secs: l.duration_secs,
    }
}
