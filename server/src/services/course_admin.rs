//! Course management by the provincial admin: courses, lessons, questions, uploads, CSV
//! import, and publishing.
//!
//! New courses start unpublished. A course is published only when it meets
//! [`publish_problems`], and while it is published every change must keep it so. Nothing a
//! trainee has used is deleted: a studied lesson or an answered question can be edited but not
//! removed, and courses are unpublished rather than deleted. An unpublished course leaves the
//! catalogue and cannot be newly selected, but trainees who had selected it keep it in their
//! plan, keep its credited time, and may go on studying and practising it.
//! Every change is written to the audit log in the same transaction.

use crate::access::{AccessError, Actor};
use crate::auth::session::new_token;
use crate::error::AppError;
use crate::services::{policy, question_import};
use crate::state::AppState;
use crate::storage::course_admin::{self, Deleted, Ordered};
use crate::storage::media::{self, ByteStream, MediaKind};
use crate::storage::{audit, WriteFuture};
use crate::views::course_admin as view;
use qinxue_core::admin::{
    publish_problems, AdminCourse, AdminCourseSummary, CourseInput, ImportReport, LessonInput,
    QuestionInput, Uploaded,
};
use qinxue_core::api::FieldError;
use qinxue_core::ledger::LessonKind;
use sqlx::AnyConnection;

/// Why a course, lesson or question is not changed.
#[derive(Debug, thiserror::Error)]
pub enum CourseAdminError {
    #[error(transparent)]
    Access(#[from] AccessError),
    /// No such course, or no such lesson or question of it.
    #[error("not found")]
    NotFound,
    /// Fields that break the rules of a course, lesson or question.
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    /// A published course that would lack what the catalogue asks (`publishing`: the change
    /// is the publishing itself).
    #[error("course incomplete: {problems:?}")]
    Incomplete {
        publishing: bool,
        problems: Vec<String>,
    },
    /// A lesson naming a video this server does not hold.
    #[error("no such video")]
    NoSuchVideo,
    /// A video uploaded to a lesson that is not a video lesson.
    #[error("not a video lesson")]
    NotVideoLesson,
    /// A new order that does not list each lesson or question exactly once.
    #[error("invalid order")]
    InvalidOrder,
    #[error("lesson studied")]
    LessonStudied,
    #[error("question answered")]
    QuestionAnswered,
    /// A question file over this many bytes.
    #[error("question file over {0} bytes")]
    FileTooLarge(usize),
    /// A question file that is not imported.
    #[error(transparent)]
    Questions(#[from] crate::services::question_import::QuestionImportError),
    /// A fault of the layers below, or their refusal (database, writer, media files).
    #[error(transparent)]
    Fault(#[from] AppError),
}

impl From<sqlx::Error> for CourseAdminError {
    fn from(e: sqlx::Error) -> Self {
        CourseAdminError::Fault(e.into())
    }
}

/// A short text for the audit log.
fn excerpt(s: &str) -> String {
    s.trim().chars().take(40).collect()
}

async fn minutes_per_hour(state: &AppState) -> Result<u32, CourseAdminError> {
    Ok(policy::in_force(state, state.clock.now())
        .await?
        .minutes_per_hour)
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<AdminCourseSummary>, CourseAdminError> {
    actor.course_manager()?;
    let mut conn = state.db.read().await?;
    let rows = course_admin::list(&mut conn).await?;
    Ok(rows.into_iter().map(view::summary).collect())
}

pub async fn get(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<AdminCourse, CourseAdminError> {
    actor.course_manager()?;
    let mut conn = state.db.read().await?;
    course_admin::course(&mut conn, id)
        .await?
        .map(view::course)
        .ok_or(CourseAdminError::NotFound)
}

/// Runs `apply` on a course in one transaction, then checks that a published course still
/// meets the catalogue's rules and records the action; answers the course as it now is.
async fn change<F>(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    action: &'static str,
    detail: String,
    apply: F,
) -> Result<AdminCourse, CourseAdminError>
where
    F: for<'c> FnOnce(&'c mut AnyConnection) -> WriteFuture<'c, ()> + Send + 'static,
{
    let admin_id = actor.course_manager()?.id;
    let mph = minutes_per_hour(state).await?;
    let now = state.clock.now_secs();
    state
        .db
        .write(move |c| {
            Box::pin(async move {
                if course_admin::course(&mut *c, course_id).await?.is_none() {
                    return Err(CourseAdminError::NotFound.into());
                }
                apply(&mut *c).await?;
                let course = course_admin::course(&mut *c, course_id)
                    .await?
                    .map(view::course)
                    .ok_or(CourseAdminError::NotFound)?;
                if course.published && action != "course.unpublish" {
                    let problems = publish_problems(&course, mph);
                    if !problems.is_empty() {
                        return Err(CourseAdminError::Incomplete {
                            publishing: action == "course.publish",
                            problems,
                        }
                        .into());
                    }
                }
                audit::record(
                    &mut *c,
                    now,
                    Some(admin_id),
                    action,
                    &format!("course:{course_id}"),
                    &detail,
                )
                .await?;
                Ok(course)
            })
        })
        .await
        .map_err(CourseAdminError::from)
}

/// A new, unpublished course with the default cover.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: CourseInput,
) -> Result<AdminCourse, CourseAdminError> {
    let admin_id = actor.course_manager()?.id;
    input.validate().map_err(CourseAdminError::Invalid)?;
    let (token, _) = new_token()?;
    let code = format!("c-{}", &token[..10]);
    let now = state.clock.now_secs();
    state
        .db
        .write(move |c| {
            Box::pin(async move {
                let id = course_admin::insert_course(
                    &mut *c,
                    &code,
                    &input,
                    media::DEFAULT_COVER_URL,
                    now,
                )
                .await?;
                audit::record(
                    &mut *c,
                    now,
                    Some(admin_id),
                    "course.create",
                    &format!("course:{id}"),
                    &excerpt(&input.title),
                )
                .await?;
                course_admin::course(c, id)
                    .await?
                    .map(view::course)
                    .ok_or_else(|| AppError::Internal("a new course vanished".into()))
            })
        })
        .await
        .map_err(CourseAdminError::from)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: i64,
    input: CourseInput,
) -> Result<AdminCourse, CourseAdminError> {
    actor.course_manager()?;
    input.validate().map_err(CourseAdminError::Invalid)?;
    let detail = excerpt(&input.title);
    change(state, actor, id, "course.update", detail, move |c| {
        Box::pin(async move {
            course_admin::update_course(c, id, &input).await?;
            Ok(())
        })
    })
    .await
}

/// Publishes a complete course, or withdraws one from the catalogue.
pub async fn set_published(
    state: &AppState,
    actor: &Actor,
    id: i64,
    published: bool,
) -> Result<AdminCourse, CourseAdminError> {
    let action = if published {
        "course.publish"
    } else {
        "course.unpublish"
    };
    change(state, actor, id, action, String::new(), move |c| {
        Box::pin(async move {
            course_admin::set_published(c, id, published).await?;
            Ok(())
        })
    })
    .await
}

/// Stores an uploaded cover and gives it to the course.
pub async fn upload_cover(
    state: &AppState,
    actor: &Actor,
    id: i64,
    declared_len: Option<u64>,
    body: impl ByteStream,
) -> Result<AdminCourse, CourseAdminError> {
    get(state, actor, id).await?;
    let url = media::store(
        &state.config.media_dir(),
        &state.config.media,
        MediaKind::Cover,
        declared_len,
        body,
    )
    .await?;
    let detail = url.clone();
    change(state, actor, id, "course.cover", detail, move |c| {
        Box::pin(async move {
            course_admin::set_cover(c, id, &url).await?;
            Ok(())
        })
    })
    .await
}

/// A lesson's fields as the rules and the media folder allow: a named video must be a file
/// this server holds.
async fn checked_lesson(state: &AppState, input: &LessonInput) -> Result<(), CourseAdminError> {
    input.validate().map_err(CourseAdminError::Invalid)?;
    if let Some(url) = &input.video {
        if !media::video_exists(&state.config.media_dir(), url).await {
            return Err(CourseAdminError::NoSuchVideo);
        }
    }
    Ok(())
}

/// Stores a video before its lesson is saved (`LessonInput::video` then names it), so that a
/// video lesson joins a published course complete.
pub async fn upload_video_file(
    state: &AppState,
    actor: &Actor,
    declared_len: Option<u64>,
    body: impl ByteStream,
) -> Result<Uploaded, CourseAdminError> {
    let admin_id = actor.course_manager()?.id;
    let url = media::store(
        &state.config.media_dir(),
        &state.config.media,
        MediaKind::Video,
        declared_len,
        body,
    )
    .await?;
    let duration_secs = media::video_duration_secs(&state.config.media_dir(), &url).await;
    let (now, detail) = (state.clock.now_secs(), url.clone());
    state
        .db
        .write(move |c| {
            Box::pin(async move {
                audit::record(c, now, Some(admin_id), "media.upload", "media", &detail).await?;
                Ok(())
            })
        })
        .await?;
    Ok(Uploaded { url, duration_secs })
}

pub async fn add_lesson(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    input: LessonInput,
) -> Result<AdminCourse, CourseAdminError> {
    actor.course_manager()?;
    checked_lesson(state, &input).await?;
    let detail = excerpt(&input.title);
    change(state, actor, course_id, "lesson.create", detail, move |c| {
        Box::pin(async move {
            course_admin::insert_lesson(c, course_id, &input).await?;
            Ok(())
        })
    })
    .await
}

pub async fn update_lesson(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    lesson_id: i64,
    input: LessonInput,
) -> Result<AdminCourse, CourseAdminError> {
    actor.course_manager()?;
    checked_lesson(state, &input).await?;
    let detail = format!("lesson:{lesson_id} {}", excerpt(&input.title));
    change(state, actor, course_id, "lesson.update", detail, move |c| {
        Box::pin(async move {
            if !course_admin::update_lesson(c, course_id, lesson_id, &input).await? {
                return Err(CourseAdminError::NotFound.into());
            }
            Ok(())
        })
    })
    .await
}

pub async fn delete_lesson(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    lesson_id: i64,
) -> Result<AdminCourse, CourseAdminError> {
    let detail = format!("lesson:{lesson_id}");
    change(state, actor, course_id, "lesson.delete", detail, move |c| {
        Box::pin(async move {
            match course_admin::delete_lesson(c, course_id, lesson_id).await? {
                Deleted::Done => Ok(()),
                Deleted::NotFound => Err(CourseAdminError::NotFound.into()),
                Deleted::InUse => Err(CourseAdminError::LessonStudied.into()),
            }
        })
    })
    .await
    .map_err(|e| foreign_key_means_in_use(e, CourseAdminError::LessonStudied))
}

/// A study session opened on the lesson between the check and the delete fails the delete
/// on its foreign key: that too means the lesson is in use.
fn foreign_key_means_in_use(e: CourseAdminError, in_use: CourseAdminError) -> CourseAdminError {
    match &e {
        CourseAdminError::Fault(AppError::Database(sqlx::Error::Database(db)))
            if db.is_foreign_key_violation() =>
        {
            in_use
        }
        _ => e,
    }
}

/// Stores an uploaded video and gives it to a video lesson of the course.
pub async fn upload_video(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    lesson_id: i64,
    declared_len: Option<u64>,
    body: impl ByteStream,
) -> Result<AdminCourse, CourseAdminError> {
    let course = get(state, actor, course_id).await?;
    let lesson = course
        .lessons
        .iter()
        .find(|l| l.id == lesson_id)
        .ok_or(CourseAdminError::NotFound)?;
    if lesson.kind != LessonKind::Video {
        return Err(CourseAdminError::NotVideoLesson);
    }
    let url = media::store(
        &state.config.media_dir(),
        &state.config.media,
        MediaKind::Video,
        declared_len,
        body,
    )
    .await?;
    let detail = format!("lesson:{lesson_id} {url}");
    change(state, actor, course_id, "lesson.video", detail, move |c| {
        Box::pin(async move {
            if !course_admin::set_video(c, course_id, lesson_id, &url).await? {
                return Err(CourseAdminError::NotFound.into());
            }
            Ok(())
        })
    })
    .await
}

/// Puts a course's lessons or questions in a new order; `ids` must list each exactly once.
pub async fn reorder(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    what: Ordered,
    ids: Vec<i64>,
) -> Result<AdminCourse, CourseAdminError> {
    let action = match what {
        Ordered::Lessons => "lesson.reorder",
        Ordered::Questions => "question.reorder",
    };
    let detail = format!("{ids:?}");
    change(state, actor, course_id, action, detail, move |c| {
        Box::pin(async move {
            let mut current = course_admin::ordered_ids(&mut *c, course_id, what).await?;
            let mut wanted = ids.clone();
            current.sort_unstable();
            wanted.sort_unstable();
            if current != wanted {
                return Err(CourseAdminError::InvalidOrder.into());
            }
            course_admin::reorder(c, course_id, what, &ids).await?;
            Ok(())
        })
    })
    .await
}

pub async fn add_question(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    input: QuestionInput,
) -> Result<AdminCourse, CourseAdminError> {
    actor.course_manager()?;
    input.validate().map_err(CourseAdminError::Invalid)?;
    let detail = excerpt(&input.stem);
    change(
        state,
        actor,
        course_id,
        "question.create",
        detail,
        move |c| {
            Box::pin(async move {
                course_admin::insert_question(&mut *c, course_id, &input).await?;
                course_admin::questions_changed(c, course_id).await?;
                Ok(())
            })
        },
    )
    .await
}

pub async fn update_question(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    question_id: i64,
    input: QuestionInput,
) -> Result<AdminCourse, CourseAdminError> {
    actor.course_manager()?;
    input.validate().map_err(CourseAdminError::Invalid)?;
    let detail = format!("question:{question_id} {}", excerpt(&input.stem));
    change(
        state,
        actor,
        course_id,
        "question.update",
        detail,
        move |c| {
            Box::pin(async move {
                if !course_admin::update_question(c, course_id, question_id, &input).await? {
                    return Err(CourseAdminError::NotFound.into());
                }
                Ok(())
            })
        },
    )
    .await
}

pub async fn delete_question(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    question_id: i64,
) -> Result<AdminCourse, CourseAdminError> {
    let detail = format!("question:{question_id}");
    change(
        state,
        actor,
        course_id,
        "question.delete",
        detail,
        move |c| {
            Box::pin(async move {
                match course_admin::delete_question(&mut *c, course_id, question_id).await? {
                    Deleted::Done => Ok(course_admin::questions_changed(c, course_id).await?),
                    Deleted::NotFound => Err(CourseAdminError::NotFound.into()),
                    Deleted::InUse => Err(CourseAdminError::QuestionAnswered.into()),
                }
            })
        },
    )
    .await
    .map_err(|e| foreign_key_means_in_use(e, CourseAdminError::QuestionAnswered))
}

/// Reads an upload up to `limit` bytes.
async fn read_limited(
    mut body: impl ByteStream,
    limit: usize,
) -> Result<Vec<u8>, CourseAdminError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = body.next_chunk().await {
        let chunk = chunk.map_err(AppError::from)?;
        let data = chunk.as_ref();
        if bytes.len() + data.len() > limit {
            return Err(CourseAdminError::FileTooLarge(limit));
        }
        bytes.extend_from_slice(data);
    }
    Ok(bytes)
}

/// Imports a CSV file of questions: all of them, or none and every bad row listed.
pub async fn import_questions(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    body: impl ByteStream,
) -> Result<ImportReport, CourseAdminError> {
    actor.course_manager()?;
    let existing = {
        let mut conn = state.db.read().await?;
        if course_admin::course(&mut conn, course_id).await?.is_none() {
            return Err(CourseAdminError::NotFound);
        }
        course_admin::stems(&mut conn, course_id).await?
    };
    let bytes = read_limited(body, question_import::MAX_CSV_BYTES).await?;
    let questions = question_import::parse(&bytes, &existing)?;
    let imported = u32::try_from(questions.len()).unwrap_or(u32::MAX);
    let detail = format!("{imported} questions");
    let course = change(
        state,
        actor,
        course_id,
        "question.import",
        detail,
        move |c| {
            Box::pin(async move {
                for q in &questions {
                    course_admin::insert_question(&mut *c, course_id, q).await?;
                }
                course_admin::questions_changed(c, course_id).await?;
                Ok(())
            })
        },
    )
    .await?;
    Ok(ImportReport { imported, course })
}
