//! Course management by the provincial admin (`/api/admin/courses…`); everyone else gets 403.
//! Uploads (cover, video, CSV) are the raw file as the request body, streamed.

use crate::access::Actor;
use crate::error::Result;
use crate::extract::{ApiJson, ApiPath};
use crate::services::course_admin;
use crate::state::AppState;
use crate::storage::course_admin::Ordered;
use crate::storage::media::MediaKind;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use qinxue_core::admin::{
    AdminCourse, AdminCourseSummary, CourseInput, ImportReport, LessonInput, QuestionInput,
    Reorder, Uploaded,
};
use qinxue_core::api::ErrorBody;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(upload_limits))
        .routes(routes!(upload_video_file))
        .routes(routes!(get_course, update))
        .routes(routes!(publish))
        .routes(routes!(unpublish))
        .routes(routes!(upload_cover))
        .routes(routes!(add_lesson))
        .routes(routes!(update_lesson, delete_lesson))
        .routes(routes!(upload_video))
        .routes(routes!(reorder_lessons))
        .routes(routes!(add_question))
        .routes(routes!(update_question, delete_question))
        .routes(routes!(reorder_questions))
        .routes(routes!(import_questions))
}

type Created = (StatusCode, Json<AdminCourse>);

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// Every course, unpublished ones too, newest first.
#[utoipa::path(get, path = "/api/admin/courses", tag = "admin",
    responses((status = 200, body = Vec<AdminCourseSummary>), (status = 403, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    actor: Actor,
) -> Result<Json<Vec<AdminCourseSummary>>> {
    Ok(Json(course_admin::list(&state, &actor).await?))
}

/// Creates an unpublished course.
#[utoipa::path(post, path = "/api/admin/courses", tag = "admin", request_body = CourseInput,
    responses((status = 201, body = AdminCourse), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<CourseInput>,
) -> Result<Created> {
    Ok((
        StatusCode::CREATED,
        Json(course_admin::create(&state, &actor, input).await?),
    ))
}

/// How large an upload may be, so that the admin pages can say so before sending.
#[derive(Debug, Serialize, ToSchema)]
struct UploadLimits {
    max_cover_bytes: u64,
    max_video_bytes: u64,
    max_csv_bytes: u64,
}

#[utoipa::path(get, path = "/api/admin/upload-limits", tag = "admin",
    responses((status = 200, body = UploadLimits), (status = 403, body = ErrorBody)))]
async fn upload_limits(State(state): State<AppState>, actor: Actor) -> Result<Json<UploadLimits>> {
    actor.course_manager()?;
    let media = &state.config.media;
    Ok(Json(UploadLimits {
        max_cover_bytes: MediaKind::Cover.limit(media),
        max_video_bytes: MediaKind::Video.limit(media),
        max_csv_bytes: crate::services::question_import::MAX_CSV_BYTES as u64,
    }))
}

/// Stores a video (MP4 or WebM, judged by content) as the raw body, for a lesson form to name
/// in `video` when it saves.
#[utoipa::path(post, path = "/api/admin/uploads/videos", tag = "admin",
    request_body(content = String, content_type = "application/octet-stream", description = "the video file"),
    responses((status = 201, body = Uploaded),
        (status = 413, body = ErrorBody, description = "`file_too_large`"),
        (status = 415, body = ErrorBody, description = "`unsupported_file_type`")))]
async fn upload_video_file(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Uploaded>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            course_admin::upload_video_file(&state, &actor, content_length(&headers), body).await?,
        ),
    ))
}

/// A course with its lessons and questions.
#[utoipa::path(get, path = "/api/admin/courses/{id}", tag = "admin",
    params(("id" = i64, Path, description = "course id")),
    responses((status = 200, body = AdminCourse), (status = 404, body = ErrorBody)))]
async fn get_course(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AdminCourse>> {
    Ok(Json(course_admin::get(&state, &actor, id).await?))
}

/// Changes a course's title, category, trades, 学时 and description.
#[utoipa::path(put, path = "/api/admin/courses/{id}", tag = "admin", request_body = CourseInput,
    params(("id" = i64, Path, description = "course id")),
    responses((status = 200, body = AdminCourse), (status = 422, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`course_incomplete`: a published course would break the catalogue's rules")))]
async fn update(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<CourseInput>,
) -> Result<Json<AdminCourse>> {
    Ok(Json(course_admin::update(&state, &actor, id, input).await?))
}

/// Puts a complete course in the catalogue.
#[utoipa::path(post, path = "/api/admin/courses/{id}/publish", tag = "admin",
    params(("id" = i64, Path, description = "course id")),
    responses((status = 200, body = AdminCourse),
        (status = 409, body = ErrorBody, description = "`course_incomplete`, the message says what is missing")))]
async fn publish(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AdminCourse>> {
    Ok(Json(
        course_admin::set_published(&state, &actor, id, true).await?,
    ))
}

/// Withdraws a course from the catalogue: nobody can newly select it; those who selected it
/// keep it, its credited time and their progress, and may go on studying it.
#[utoipa::path(post, path = "/api/admin/courses/{id}/unpublish", tag = "admin",
    params(("id" = i64, Path, description = "course id")),
    responses((status = 200, body = AdminCourse), (status = 404, body = ErrorBody)))]
async fn unpublish(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AdminCourse>> {
    Ok(Json(
        course_admin::set_published(&state, &actor, id, false).await?,
    ))
}

/// Uploads the cover image (PNG, JPEG or WebP, judged by content; no SVG) as the raw body.
#[utoipa::path(put, path = "/api/admin/courses/{id}/cover", tag = "admin",
    request_body(content = String, content_type = "application/octet-stream", description = "the image file"),
    params(("id" = i64, Path, description = "course id")),
    responses((status = 200, body = AdminCourse),
        (status = 413, body = ErrorBody, description = "`file_too_large`"),
        (status = 415, body = ErrorBody, description = "`unsupported_file_type`")))]
async fn upload_cover(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<AdminCourse>> {
    Ok(Json(
        course_admin::upload_cover(&state, &actor, id, content_length(&headers), body).await?,
    ))
}

/// Adds a lesson after the course's other written lessons.
#[utoipa::path(post, path = "/api/admin/courses/{id}/lessons", tag = "admin", request_body = LessonInput,
    params(("id" = i64, Path, description = "course id")),
    responses((status = 201, body = AdminCourse), (status = 422, body = ErrorBody)))]
async fn add_lesson(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<LessonInput>,
) -> Result<Created> {
    Ok((
        StatusCode::CREATED,
        Json(course_admin::add_lesson(&state, &actor, id, input).await?),
    ))
}

/// Changes a written lesson (the practice lesson is made from the questions).
#[utoipa::path(put, path = "/api/admin/courses/{id}/lessons/{lesson_id}", tag = "admin", request_body = LessonInput,
    params(("id" = i64, Path, description = "course id"), ("lesson_id" = i64, Path, description = "lesson id")),
    responses((status = 200, body = AdminCourse), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_lesson(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((id, lesson_id)): ApiPath<(i64, i64)>,
    ApiJson(input): ApiJson<LessonInput>,
) -> Result<Json<AdminCourse>> {
    Ok(Json(
        course_admin::update_lesson(&state, &actor, id, lesson_id, input).await?,
    ))
}

/// Deletes a lesson nobody has studied.
#[utoipa::path(delete, path = "/api/admin/courses/{id}/lessons/{lesson_id}", tag = "admin",
    params(("id" = i64, Path, description = "course id"), ("lesson_id" = i64, Path, description = "lesson id")),
    responses((status = 200, body = AdminCourse),
        (status = 409, body = ErrorBody, description = "`lesson_studied`, or `course_incomplete` for a published course")))]
async fn delete_lesson(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((id, lesson_id)): ApiPath<(i64, i64)>,
) -> Result<Json<AdminCourse>> {
    Ok(Json(
        course_admin::delete_lesson(&state, &actor, id, lesson_id).await?,
    ))
}

/// Uploads a video lesson's file (MP4 or WebM, judged by content) as the raw body.
#[utoipa::path(put, path = "/api/admin/courses/{id}/lessons/{lesson_id}/video", tag = "admin",
    request_body(content = String, content_type = "application/octet-stream", description = "the video file"),
    params(("id" = i64, Path, description = "course id"), ("lesson_id" = i64, Path, description = "lesson id")),
    responses((status = 200, body = AdminCourse),
        (status = 413, body = ErrorBody, description = "`file_too_large`"),
        (status = 415, body = ErrorBody, description = "`unsupported_file_type`"),
        (status = 422, body = ErrorBody, description = "`validation_failed`: the lesson is not a video lesson")))]
async fn upload_video(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((id, lesson_id)): ApiPath<(i64, i64)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<AdminCourse>> {
    Ok(Json(
        course_admin::upload_video(
            &state,
            &actor,
            id,
            lesson_id,
            content_length(&headers),
            body,
        )
        .await?,
    ))
}

/// Puts the written lessons in a new order (the practice lesson stays last).
#[utoipa::path(put, path = "/api/admin/courses/{id}/lesson-order", tag = "admin", request_body = Reorder,
    params(("id" = i64, Path, description = "course id")),
    responses((status = 200, body = AdminCourse), (status = 422, body = ErrorBody, description = "`invalid_order`")))]
async fn reorder_lessons(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(order): ApiJson<Reorder>,
) -> Result<Json<AdminCourse>> {
    Ok(Json(
        course_admin::reorder(&state, &actor, id, Ordered::Lessons, order.ids).await?,
    ))
}

/// Adds a practice question.
#[utoipa::path(post, path = "/api/admin/courses/{id}/questions", tag = "admin", request_body = QuestionInput,
    params(("id" = i64, Path, description = "course id")),
    responses((status = 201, body = AdminCourse), (status = 422, body = ErrorBody)))]
async fn add_question(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<QuestionInput>,
) -> Result<Created> {
    Ok((
        StatusCode::CREATED,
        Json(course_admin::add_question(&state, &actor, id, input).await?),
    ))
}

/// Changes a question.
#[utoipa::path(put, path = "/api/admin/courses/{id}/questions/{question_id}", tag = "admin", request_body = QuestionInput,
    params(("id" = i64, Path, description = "course id"), ("question_id" = i64, Path, description = "question id")),
    responses((status = 200, body = AdminCourse), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_question(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((id, question_id)): ApiPath<(i64, i64)>,
    ApiJson(input): ApiJson<QuestionInput>,
) -> Result<Json<AdminCourse>> {
    Ok(Json(
        course_admin::update_question(&state, &actor, id, question_id, input).await?,
    ))
}

/// Deletes a question nobody has answered.
#[utoipa::path(delete, path = "/api/admin/courses/{id}/questions/{question_id}", tag = "admin",
    params(("id" = i64, Path, description = "course id"), ("question_id" = i64, Path, description = "question id")),
    responses((status = 200, body = AdminCourse),
        (status = 409, body = ErrorBody, description = "`question_answered`, or `course_incomplete` for a published course")))]
async fn delete_question(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((id, question_id)): ApiPath<(i64, i64)>,
) -> Result<Json<AdminCourse>> {
    Ok(Json(
        course_admin::delete_question(&state, &actor, id, question_id).await?,
    ))
}

/// Puts the questions in a new order.
#[utoipa::path(put, path = "/api/admin/courses/{id}/question-order", tag = "admin", request_body = Reorder,
    params(("id" = i64, Path, description = "course id")),
    responses((status = 200, body = AdminCourse), (status = 422, body = ErrorBody, description = "`invalid_order`")))]
async fn reorder_questions(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(order): ApiJson<Reorder>,
) -> Result<Json<AdminCourse>> {
    Ok(Json(
        course_admin::reorder(&state, &actor, id, Ordered::Questions, order.ids).await?,
    ))
}

/// Imports questions from a CSV file (raw body; layout in `services::question_import`):
/// all rows or none; a file with bad rows answers 422 `invalid_import` with every bad row in
/// `error.rows`.
#[utoipa::path(post, path = "/api/admin/courses/{id}/questions/import", tag = "admin",
    request_body(content = String, content_type = "text/csv", description = "题型,题目,选项A,…,选项F,答案,解析"),
    params(("id" = i64, Path, description = "course id")),
    responses((status = 201, body = ImportReport),
        (status = 422, body = ErrorBody, description = "`invalid_import`, bad rows in `error.rows`"),
        (status = 413, body = ErrorBody, description = "`file_too_large`")))]
async fn import_questions(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    body: Body,
) -> Result<(StatusCode, Json<ImportReport>)> {
    Ok((
        StatusCode::CREATED,
        Json(course_admin::import_questions(&state, &actor, id, body).await?),
    ))
}
