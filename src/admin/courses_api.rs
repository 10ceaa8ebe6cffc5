//! The course-management calls (`/api/admin/courses…`) of the admin app, made through the
//! one client, [`crate::api`].
//!
//! Answers are read with serde, not `crate::wire`: this module is in the admin bundle only, so
//! its decoders cost a trainee nothing. Files (covers, videos, CSV) are sent as the request
//! body exactly as the browser holds them, so a large video is never copied into wasm memory.

use crate::api::{self, json, ApiError, Body};
use qinxue_core::admin::{
    AdminCourse, AdminCourseSummary, CourseInput, ImportReport, LessonInput, QuestionInput,
    Reorder, Uploaded,
};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use wasm_bindgen::JsValue;
use web_sys::js_sys::Reflect;

/// How large an upload may be (`GET /api/admin/upload-limits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct UploadLimits {
    pub max_cover_bytes: u64,
    pub max_video_bytes: u64,
    pub max_csv_bytes: u64,
}

/// A file the person picked, as the browser holds it.
#[derive(Debug, Clone)]
pub struct PickedFile {
    /// The browser's `File` object.
    pub file: JsValue,
    pub name: String,
    pub size: u64,
}

/// The first file chosen in an `<input type="file">`, if any.
pub fn picked_file(input: &web_sys::HtmlInputElement) -> Option<PickedFile> {
    let files = Reflect::get(input, &"files".into()).ok()?;
    let file = Reflect::get(&files, &0.into()).ok()?;
    if file.is_undefined() || file.is_null() {
        return None;
    }
    let name = Reflect::get(&file, &"name".into()).ok()?.as_string()?;
    let size = Reflect::get(&file, &"size".into()).ok()?.as_f64()? as u64;
    Some(PickedFile { file, name, size })
}

/// A call whose answer serde reads (see [`api::read_serde`]).
async fn call<T: DeserializeOwned>(method: &str, path: &str, body: Body) -> Result<T, ApiError> {
    api::read_serde(&api::send(method, path, body).await?)
}

/// A picked file as a request body.
fn file_body(file: &PickedFile, content_type: &'static str) -> Body {
    Body::File(file.file.clone(), content_type)
}

pub async fn courses() -> Result<Vec<AdminCourseSummary>, ApiError> {
    call("GET", "/api/admin/courses", Body::Empty).await
}

pub async fn upload_limits() -> Result<UploadLimits, ApiError> {
    call("GET", "/api/admin/upload-limits", Body::Empty).await
}

pub async fn course(id: i64) -> Result<AdminCourse, ApiError> {
    call("GET", &format!("/api/admin/courses/{id}"), Body::Empty).await
}

pub async fn create_course(input: &CourseInput) -> Result<AdminCourse, ApiError> {
    call("POST", "/api/admin/courses", json(input)).await
}

pub async fn update_course(id: i64, input: &CourseInput) -> Result<AdminCourse, ApiError> {
    call("PUT", &format!("/api/admin/courses/{id}"), json(input)).await
}

/// Publishes (`true`) or unpublishes the course.
pub async fn set_published(id: i64, published: bool) -> Result<AdminCourse, ApiError> {
    let verb = if published { "publish" } else { "unpublish" };
    call(
        "POST",
        &format!("/api/admin/courses/{id}/{verb}"),
        Body::Empty,
    )
    .await
}

pub async fn upload_cover(id: i64, file: &PickedFile) -> Result<AdminCourse, ApiError> {
    let body = file_body(file, "application/octet-stream");
    call("PUT", &format!("/api/admin/courses/{id}/cover"), body).await
}

pub async fn add_lesson(id: i64, input: &LessonInput) -> Result<AdminCourse, ApiError> {
    call(
        "POST",
        &format!("/api/admin/courses/{id}/lessons"),
        json(input),
    )
    .await
}

pub async fn update_lesson(
    id: i64,
    lesson: i64,
    input: &LessonInput,
) -> Result<AdminCourse, ApiError> {
    let path = format!("/api/admin/courses/{id}/lessons/{lesson}");
    call("PUT", &path, json(input)).await
}

pub async fn delete_lesson(id: i64, lesson: i64) -> Result<AdminCourse, ApiError> {
    let path = format!("/api/admin/courses/{id}/lessons/{lesson}");
    call("DELETE", &path, Body::Empty).await
}

/// Stores a video for the lesson form to name when it saves.
pub async fn upload_video_file(file: &PickedFile) -> Result<Uploaded, ApiError> {
    let body = file_body(file, "application/octet-stream");
    call("POST", "/api/admin/uploads/videos", body).await
}

pub async fn reorder_lessons(id: i64, ids: Vec<i64>) -> Result<AdminCourse, ApiError> {
    let path = format!("/api/admin/courses/{id}/lesson-order");
    call("PUT", &path, json(&Reorder { ids })).await
}

pub async fn add_question(id: i64, input: &QuestionInput) -> Result<AdminCourse, ApiError> {
    let path = format!("/api/admin/courses/{id}/questions");
    call("POST", &path, json(input)).await
}

pub async fn update_question(
    id: i64,
    question: i64,
    input: &QuestionInput,
) -> Result<AdminCourse, ApiError> {
    let path = format!("/api/admin/courses/{id}/questions/{question}");
    call("PUT", &path, json(input)).await
}

pub async fn delete_question(id: i64, question: i64) -> Result<AdminCourse, ApiError> {
    let path = format!("/api/admin/courses/{id}/questions/{question}");
    call("DELETE", &path, Body::Empty).await
}

pub async fn reorder_questions(id: i64, ids: Vec<i64>) -> Result<AdminCourse, ApiError> {
    let path = format!("/api/admin/courses/{id}/question-order");
    call("PUT", &path, json(&Reorder { ids })).await
}

pub async fn import_questions(id: i64, file: &PickedFile) -> Result<ImportReport, ApiError> {
    let path = format!("/api/admin/courses/{id}/questions/import");
    call("POST", &path, file_body(file, "text/csv")).await
}
