//! Course data files (`content/courses/*.json`, format in content/README.md): read and checked
//! before anything is written, so that a bad file stops the seed with a message naming it.

use qinxue_core::account::TRADES;
use qinxue_core::admin::{CourseInput, LessonInput, QuestionInput};
use qinxue_core::catalogue::{CourseCategory, QuestionKind};
use qinxue_core::ledger::LessonKind;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourseFile {
    pub code: String,
    pub title: String,
    pub category: CourseCategory,
    pub trades: Vec<String>,
    pub hours: u32,
    pub description: String,
    pub cover: String,
    pub lessons: Vec<LessonFile>,
    pub questions: Vec<QuestionFile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonFile {
    pub title: String,
    pub kind: LessonKind,
    pub duration_secs: i64,
    pub body: String,
    pub video: Option<String>,
    pub transcript: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionFile {
    pub kind: QuestionKind,
    pub stem: String,
    #[serde(default)]
    pub options: Vec<String>,
    pub answer: Vec<usize>,
    pub explanation: String,
}

impl CourseFile {
    /// The course's fields as the course management stores them.
    pub fn input(&self) -> CourseInput {
        CourseInput {
            title: self.title.clone(),
            category: self.category,
            trades: self.trades.clone(),
            hours: self.hours,
            description: self.description.clone(),
        }
    }
}

impl LessonFile {
    pub fn input(&self) -> LessonInput {
        LessonInput {
            title: self.title.clone(),
            kind: self.kind,
            duration_secs: self.duration_secs,
            body: self.body.clone(),
            transcript: self.transcript.clone(),
            video: self.video.clone(),
        }
    }
}

impl QuestionFile {
    pub fn input(&self) -> QuestionInput {
        QuestionInput {
            kind: self.kind,
            stem: self.stem.clone(),
            options: self.options.clone(),
            answer: self.answer.clone(),
            explanation: self.explanation.clone(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{path}: {problem}")]
    Invalid { path: PathBuf, problem: String },
}

/// Every course file in `dir/courses`, sorted by code.
pub fn load(dir: &Path) -> Result<Vec<CourseFile>, ContentError> {
    let courses_dir = dir.join("courses");
    let read_err = |source| ContentError::Read {
        path: courses_dir.clone(),
        source,
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&courses_dir)
        .map_err(read_err)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let mut courses = Vec::with_capacity(paths.len());
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(|source| ContentError::Read {
            path: path.clone(),
            source,
        })?;
        let course: CourseFile =
            serde_json::from_str(&text).map_err(|source| ContentError::Parse {
                path: path.clone(),
                source,
            })?;
        check(&course).map_err(|problem| ContentError::Invalid {
            path: path.clone(),
            problem,
        })?;
        courses.push(course);
    }
    Ok(courses)
}

fn check(c: &CourseFile) -> Result<(), String> {
    if c.code.is_empty()
        || !c
            .code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(format!(
            "code {:?} must be lowercase ASCII, digits and '-'",
            c.code
        ));
    }
    match c.category {
        CourseCategory::Public if !c.trades.is_empty() => {
            return Err("a public course has no trades".into())
        }
        CourseCategory::Trade if c.trades.is_empty() => {
            return Err("a trade course names its trade".into())
        }
        _ => {}
    }
    if let Some(t) = c.trades.iter().find(|t| !TRADES.contains(&t.as_str())) {
        return Err(format!("unknown trade {t:?}"));
    }
    if c.lessons.is_empty() || c.hours == 0 {
        return Err("a course needs lessons and 学时".into());
    }
    let total: i64 = c.lessons.iter().map(|l| l.duration_secs).sum();
    if total < i64::from(c.hours) * 45 * 60 {
        return Err(format!(
            "lessons last {total} s, fewer than {} 学时",
            c.hours
        ));
    }
    for l in &c.lessons {
        if l.duration_secs <= 0 {
            return Err(format!("lesson {:?} has no duration", l.title));
        }
        if l.kind == LessonKind::Practice {
            return Err(format!(
                "lesson {:?}: practice lessons are made from the questions, not written",
                l.title
            ));
        }
        if (l.kind == LessonKind::Video) != l.video.is_some() {
            return Err(format!(
                "lesson {:?}: a video lesson, and only one, names its video",
                l.title
            ));
        }
    }
    // The same rules as a question the provincial admin writes.
    for (i, q) in c.questions.iter().enumerate() {
        if let Err(errors) = q.input().validate() {
            let reasons: Vec<String> = errors.into_iter().map(|e| e.message).collect();
            return Err(format!(
                "question {} ({:?}): {}",
                i + 1,
                q.stem,
                reasons.join("; ")
            ));
        }
    }
    Ok(())
}
