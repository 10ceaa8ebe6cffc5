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

use crate::access::Actor;
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
use qinxue_core::ledger::LessonKind;
use qinxue_core::ErrorCode;
use sqlx::AnyConnection;

fn invalid(errors: Vec<qinxue_core::api::FieldError>) -> AppError {
    AppError::Validation(errors)
}

fn incomplete(prefix: &str, problems: &[String]) -> AppError {
    AppError::Explained {
        code: ErrorCode::CourseIncomplete,
        message: format!("{prefix}：{}", problems.join("；")),
    }
}

/// A short text for the audit log.
fn excerpt(s: &str) -> String {
    s.trim().chars().take(40).collect()
}

async fn minutes_per_hour(state: &AppState) -> Result<u32, AppError> {
    Ok(policy::in_force(state, state.clock.now())
        .await?
        .minutes_per_hour)
}

pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<AdminCourseSummary>, AppError> {
    actor.course_manager()?;
    let mut conn = state.db.read().await?;
    let rows = course_admin::list(&mut conn).await?;
    Ok(rows.into_iter().map(view::summary).collect())
}

pub async fn get(state: &AppState, actor: &Actor, id: i64) -> Result<AdminCourse, AppError> {
    actor.course_manager()?;
    let mut conn = state.db.read().await?;
    course_admin::course(&mut conn, id)
        .await?
        .map(view::course)
        .ok_or(AppError::NotFound)
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
) -> Result<AdminCourse, AppError>
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
                    return Err(AppError::NotFound);
                }
                apply(&mut *c).await?;
                let course = course_admin::course(&mut *c, course_id)
                    .await?
                    .map(view::course)
                    .ok_or(AppError::NotFound)?;
                if course.published && action != "course.unpublish" {
                    let problems = publish_problems(&course, mph);
                    if !problems.is_empty() {
                        let prefix = if action == "course.publish" {
                            "课程内容还不完整，暂不能发布"
                        } else {
                            "课程已发布，这样修改后将不符合发布要求（如需大改，请先下架）"
                        };
                        return Err(incomplete(prefix, &problems));
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
}

/// A new, unpublished course with the default cover.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: CourseInput,
) -> Result<AdminCourse, AppError> {
    let admin_id = actor.course_manager()?.id;
    input.validate().map_err(invalid)?;
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
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: i64,
    input: CourseInput,
) -> Result<AdminCourse, AppError> {
    actor.course_manager()?;
    input.validate().map_err(invalid)?;
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
) -> Result<AdminCourse, AppError> {
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
) -> Result<AdminCourse, AppError> {
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
async fn checked_lesson(state: &AppState, input: &LessonInput) -> Result<(), AppError> {
    input.validate().map_err(invalid)?;
    if let Some(url) = &input.video {
        if !media::video_exists(&state.config.media_dir(), url).await {
            return Err(AppError::field(
                "video",
                ErrorCode::ValidationFailed,
                "找不到这个视频文件，请重新上传",
            ));
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
) -> Result<Uploaded, AppError> {
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
) -> Result<AdminCourse, AppError> {
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
) -> Result<AdminCourse, AppError> {
    actor.course_manager()?;
    checked_lesson(state, &input).await?;
    let detail = format!("lesson:{lesson_id} {}", excerpt(&input.title));
    change(state, actor, course_id, "lesson.update", detail, move |c| {
        Box::pin(async move {
            if !course_admin::update_lesson(c, course_id, lesson_id, &input).await? {
                return Err(AppError::NotFound);
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
) -> Result<AdminCourse, AppError> {
    let detail = format!("lesson:{lesson_id}");
    change(state, actor, course_id, "lesson.delete", detail, move |c| {
        Box::pin(async move {
            match course_admin::delete_lesson(c, course_id, lesson_id).await? {
                Deleted::Done => Ok(()),
                Deleted::NotFound => Err(AppError::NotFound),
                Deleted::InUse => Err(AppError::Refused(ErrorCode::LessonStudied)),
            }
        })
    })
    .await
    .map_err(foreign_key_means_in_use(ErrorCode::LessonStudied))
}

/// A study session opened on the lesson between the check and the delete fails the delete
/// on its foreign key: that too means the lesson is in use.
fn foreign_key_means_in_use(code: ErrorCode) -> impl Fn(AppError) -> AppError {
    move |e| match &e {
        AppError::Database(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => {
            AppError::Refused(code)
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
) -> Result<AdminCourse, AppError> {
    let course = get(state, actor, course_id).await?;
    let lesson = course
        .lessons
        .iter()
        .find(|l| l.id == lesson_id)
        .ok_or(AppError::NotFound)?;
    if lesson.kind != LessonKind::Video {
        return Err(AppError::field(
            "kind",
            ErrorCode::ValidationFailed,
            "只有视频课时可以上传视频，请先把课时类型改为“视频”并保存",
        ));
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
                return Err(AppError::NotFound);
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
) -> Result<AdminCourse, AppError> {
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
                return Err(AppError::field(
                    "ids",
                    ErrorCode::InvalidOrder,
                    ErrorCode::InvalidOrder.default_message(),
                ));
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
) -> Result<AdminCourse, AppError> {
    actor.course_manager()?;
    input.validate().map_err(invalid)?;
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
) -> Result<AdminCourse, AppError> {
    actor.course_manager()?;
    input.validate().map_err(invalid)?;
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
                    return Err(AppError::NotFound);
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
) -> Result<AdminCourse, AppError> {
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
                    Deleted::NotFound => Err(AppError::NotFound),
                    Deleted::InUse => Err(AppError::Refused(ErrorCode::QuestionAnswered)),
                }
            })
        },
    )
    .await
    .map_err(foreign_key_means_in_use(ErrorCode::QuestionAnswered))
}

/// Reads an upload up to `limit` bytes.
async fn read_limited(mut body: impl ByteStream, limit: usize) -> Result<Vec<u8>, AppError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = body.next_chunk().await {
        let chunk = chunk?;
        let data = chunk.as_ref();
        if bytes.len() + data.len() > limit {
            return Err(AppError::Explained {
                code: ErrorCode::FileTooLarge,
                message: format!(
                    "题目文件不能超过 {}",
                    qinxue_core::admin::human_size(limit as u64)
                ),
            });
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
) -> Result<ImportReport, AppError> {
    actor.course_manager()?;
    let existing = {
        let mut conn = state.db.read().await?;
        if course_admin::course(&mut conn, course_id).await?.is_none() {
            return Err(AppError::NotFound);
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
