//! Courses as the provincial admin's course management shows them.

use crate::storage::course_admin::{CourseRow, CourseSummaryRow, LessonRow, QuestionRow};
use qinxue_core::admin::{AdminCourse, AdminCourseSummary, AdminLesson, AdminQuestion};

pub fn summary(c: CourseSummaryRow) -> AdminCourseSummary {
    AdminCourseSummary {
        id: c.id,
        code: c.code,
        title: c.title,
        category: c.category,
        trades: c.trades,
        hours: c.hours,
        published: c.published,
        lessons: c.lessons,
        questions: c.questions,
        selected_by: c.selected_by,
    }
}

pub fn course(c: CourseRow) -> AdminCourse {
    AdminCourse {
        id: c.id,
        code: c.code,
        title: c.title,
        category: c.category,
        trades: c.trades,
        hours: c.hours,
        description: c.description,
        cover: c.cover,
        published: c.published,
        selected_by: c.selected_by,
        lessons: c.lessons.into_iter().map(lesson).collect(),
        questions: c.questions.into_iter().map(question).collect(),
    }
}

fn lesson(l: LessonRow) -> AdminLesson {
    AdminLesson {
        id: l.id,
        title: l.title,
        kind: l.kind,
        duration_secs: l.duration_secs,
        body: l.body,
        video: l.video,
        transcript: l.transcript,
        studied_by: l.studied_by,
    }
}

fn question(q: QuestionRow) -> AdminQuestion {
    AdminQuestion {
        id: q.id,
        kind: q.kind,
        stem: q.stem,
        options: q.options,
        answer: q.answer,
        explanation: q.explanation,
        answered: q.answered,
    }
}
