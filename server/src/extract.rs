//! Request extractors whose rejections use the API's error shape.

use crate::error::AppError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use qinxue_core::api::FieldError;
use qinxue_core::ErrorCode;
use serde::de::DeserializeOwned;

/// Like `axum::Json`, but a body that cannot be read answers with a JSON error naming the
/// field at fault (`grade: unknown variant`), never a plain-text rejection.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim();
                mime.eq_ignore_ascii_case("application/json")
                    || (mime.starts_with("application/") && mime.ends_with("+json"))
            });
        if !is_json {
            return Err(AppError::body_error(
                ErrorCode::UnsupportedMediaType,
                vec![],
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::body_error(ErrorCode::PayloadTooLarge, vec![])
            } else {
                AppError::body_error(ErrorCode::InvalidJson, vec![])
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Deserialises a JSON body, mapping syntax errors to 400 `invalid_json` and shape errors
/// (missing field, wrong type, unknown enum value) to 422 `invalid_body` with the field's path.
/// A body must be UTF-8 throughout (serde checks only the strings it reads, not those of an
/// unknown field it skips), and no string in it may hold a NUL: nobody types one, and
/// PostgreSQL refuses it in text (a 500 where SQLite would store it).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    if std::str::from_utf8(bytes).is_err() {
        return Err(AppError::body_error(ErrorCode::InvalidJson, vec![]));
    }
    if let Some(field) = nul_field(bytes) {
        let message = format!("字段 {field} 含有不可见的空字符，请删除后再提交");
        return Err(AppError::body_error(
            ErrorCode::InvalidBody,
            vec![FieldError::new(&field, ErrorCode::InvalidBody, message)],
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                // A missing field is reported by serde at the parent's path; name it instead.
                let field = missing_field(&inner.to_string())
                    .map(|f| {
                        if path == "." {
                            f
                        } else {
                            format!("{path}.{f}")
                        }
                    })
                    .unwrap_or(path);
                let message = format!("字段 {field} 缺失或取值无效");
                AppError::body_error(
                    ErrorCode::InvalidBody,
                    vec![FieldError::new(&field, ErrorCode::InvalidBody, message)],
                )
            }
            _ => AppError::body_error(ErrorCode::InvalidJson, vec![]),
        }
    })?;
    de.end()
        .map_err(|_| AppError::body_error(ErrorCode::InvalidJson, vec![]))?;
    Ok(value)
}

/// Like `axum::extract::Query`, with rejections in the API's error shape.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(|_| AppError::body_error(ErrorCode::InvalidQuery, vec![]))
    }
}

/// Like `axum::extract::Path`, with rejections in the API's error shape: a path whose id is
/// not a number names nothing that exists, so it is a 404.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|_| AppError::NotFound)
    }
}

/// The path (as serde_path_to_error writes it: `lessons[0].title`) of the first string or key
/// with a NUL in a JSON body. JSON can carry a NUL only escaped (`\u0000`), so bodies without
/// that text, nearly all of them, are not parsed twice.
fn nul_field(bytes: &[u8]) -> Option<String> {
    if !bytes.windows(6).any(|w| w == b"\\u0000") {
        return None;
    }
    fn walk(value: &serde_json::Value, path: &str) -> Option<String> {
        let at = |key: &str| match path {
            "" => key.to_owned(),
            _ => format!("{path}.{key}"),
        };
        match value {
            serde_json::Value::String(s) if s.contains('\0') => Some(if path.is_empty() {
                ".".into()
            } else {
                path.to_owned()
            }),
            serde_json::Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, v)| walk(v, &format!("{path}[{i}]"))),
            serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
                if k.contains('\0') {
                    Some(at(&k.replace('\0', "")))
                } else {
                    walk(v, &at(k))
                }
            }),
            _ => None,
        }
    }
    walk(&serde_json::from_slice(bytes).ok()?, "")
}

fn missing_field(serde_message: &str) -> Option<String> {
    let rest = serde_message.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_owned())
}

/// A request body is an upload's byte stream: its data frames in order (trailers skipped).
impl crate::storage::media::ByteStream for axum::body::Body {
    type Chunk = Bytes;

    async fn next_chunk(&mut self) -> Option<Result<Bytes, crate::storage::media::Interrupted>> {
        use http_body_util::BodyExt;
        loop {
            match self.frame().await? {
                Ok(frame) => match frame.into_data() {
                    Ok(data) => return Some(Ok(data)),
                    Err(_) => continue,
                },
                Err(_) => return Some(Err(crate::storage::media::Interrupted)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qinxue_core::api::RegisterRequest;

    fn field_of(err: AppError) -> (ErrorCode, Vec<String>) {
        let body = err.body();
        (
            body.error.code,
            body.error.fields.into_iter().map(|f| f.field).collect(),
        )
    }

    #[test]
    fn an_unknown_enum_value_names_its_field() {
        let json = br#"{"id_number":"x","name":"x","phone":"x","password":"x","unit_id":1,
            "employment_type":"in_post","trade":"x","grade":"master"}"#;
        let err = parse_json::<RegisterRequest>(json).unwrap_err();
        assert_eq!(
            field_of(err),
            (ErrorCode::InvalidBody, vec!["grade".to_string()])
        );
    }

    #[test]
    fn a_missing_field_is_named() {
        let err = parse_json::<RegisterRequest>(br#"{"id_number":"x"}"#).unwrap_err();
        assert_eq!(
            field_of(err),
            (ErrorCode::InvalidBody, vec!["name".to_string()])
        );
    }

    #[test]
    fn a_nul_anywhere_names_its_field() {
        for (json, field) in [
            (&br#"{"login":"a\u0000b","password":"x"}"#[..], "login"),
            (
                br#"{"lessons":[{"title":"ok"},{"title":"\u0000"}]}"#,
                "lessons[1].title",
            ),
            (br#"{"unknown\u0000":1}"#, "unknown"),
        ] {
            let err = parse_json::<serde_json::Value>(json).unwrap_err();
            assert_eq!(err.status(), StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(
                field_of(err),
                (ErrorCode::InvalidBody, vec![field.to_string()])
            );
        }
        // An escaped backslash before `u0000` is no NUL.
        assert!(parse_json::<serde_json::Value>(br#"{"a":"\\u0000"}"#).is_ok());
    }

    #[test]
    fn invalid_utf8_is_refused_even_in_a_field_nobody_reads() {
        let body = b"{\"login\":\"a\",\"password\":\"b\",\"x\":\"\xff\xfe\"}";
        let err = parse_json::<qinxue_core::api::LoginRequest>(body).unwrap_err();
        assert_eq!(err.body().error.code, ErrorCode::InvalidJson);
    }

    #[test]
    fn broken_json_and_trailing_garbage_are_invalid_json() {
        for body in [
            &b"{"[..],
            b"{\"login\": tru",
            br#"{"login":"a","password":"b"} x"#,
        ] {
            let err = parse_json::<qinxue_core::api::LoginRequest>(body).unwrap_err();
            assert_eq!(err.body().error.code, ErrorCode::InvalidJson);
        }
    }
}
