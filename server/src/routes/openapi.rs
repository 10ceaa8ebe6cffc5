//! What every operation of the OpenAPI document answers because of the layers it runs behind,
//! added in one place so that no route has to repeat it and no new route can forget it
//! (issue 13: Schemathesis checks every status and body against this document).
//!
//! A route declares, in its `#[utoipa::path]`, only what is its own: its success answers, the
//! refusals of its service (409 `already_paid`, 422 `validation_failed`, 429, 503 …) and who
//! may call it through `security`. Nothing declared means the session cookie (`session`);
//! a public route says `security(())`, one open to anybody but better signed in
//! `security((), ("session" = []))`, a study route a seat may use too
//! `security(("session" = []), ("seat" = []))`. From that and the operation's shape this pass
//! adds:
//!
//! | status | when | from |
//! |---|---|---|
//! | 400 | path or query parameters, or a body | `extract.rs` (`invalid_query`, `invalid_json`), uploads (empty, interrupted) |
//! | 401 | a credential is required | `access/` (`unauthenticated`) |
//! | 403 | a credential is required, or the method writes | `access/` (`forbidden`, `seat_only`), `hardening.rs` (`cross_origin`) |
//! | 404 | path parameters | the record is not found or not the caller's |
//! | 413, 415 | a request body | `lib.rs`'s body limit, `extract.rs` |
//! | 422 | a JSON body | `extract.rs` (`invalid_body`: wrong type, missing or unknown field, NUL) |
//! | 414, 431 | always | `hardening::request_limits` |
//! | 503 | always but on the video uploads | `hardening::deadline` (`request_timeout`) |
//!
//! Every error answer is the API's error body (`ErrorBody`); a route's own description of a
//! status is kept and the layers' reason appended. Query parameters lose the `null` that
//! `Option` gives their schema (a query has no null: absence is `None`).

use serde_json::{json, Map, Value};

/// The session cookie's security scheme, the default of every operation.
pub const SESSION: &str = "session";
/// A group-session seat's cookie (`auth::seat::SEAT_COOKIE`).
pub const SEAT: &str = "seat";

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
const WRITES: [&str; 4] = ["put", "post", "delete", "patch"];

/// The document as served: utoipa's, completed by the rules of this module.
pub fn document(doc: &utoipa::openapi::OpenApi) -> Value {
    let mut doc = serde_json::to_value(doc).expect("an OpenAPI document is plain JSON");
    complete(&mut doc);
    doc
}

/// Adds the security schemes, the default security and every operation's layer answers.
pub fn complete(doc: &mut Value) {
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    let schemes = root
        .entry("components")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .map(|c| c.entry("securitySchemes").or_insert_with(|| json!({})));
    if let Some(Value::Object(schemes)) = schemes {
        schemes.insert(
            SESSION.into(),
            json!({"type": "apiKey", "in": "cookie", "name": crate::auth::session::COOKIE_NAME,
                   "description": "the session cookie that `POST /api/auth/login` sets"}),
        );
        schemes.insert(
            SEAT.into(),
            json!({"type": "apiKey", "in": "cookie", "name": crate::auth::seat::SEAT_COOKIE,
                   "description": "a group-session seat's cookie (`POST /api/rooms/{code}/sign-in`); \
                                   valid for that session's study routes only"}),
        );
    }
    let default_security = json!([{ SESSION: [] }]);
    root.insert("security".into(), default_security.clone());
    let Some(Value::Object(paths)) = root.get_mut("paths") else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for method in METHODS {
            if let Some(Value::Object(op)) = item.get_mut(method) {
                complete_operation(method, path, op, &default_security);
            }
        }
    }
}

fn complete_operation(method: &str, path: &str, op: &mut Map<String, Value>, default: &Value) {
    let security = op.get("security").unwrap_or(default);
    // An empty requirement (`{}`) is the alternative of sending nothing.
    let credential_required = security.as_array().is_some_and(|reqs| {
        !reqs
            .iter()
            .any(|r| r.as_object().is_some_and(Map::is_empty))
    });
    let mut has_path = false;
    let mut has_query = false;
    if let Some(Value::Array(params)) = op.get_mut("parameters") {
        for param in params {
            match param.get("in").and_then(Value::as_str) {
                Some("path") => has_path = true,
                Some("query") => {
                    has_query = true;
                    if let Some(schema) = param.get_mut("schema") {
                        drop_null(schema);
                    }
                }
                _ => {}
            }
        }
    }
    let body_types: Vec<String> = op
        .get("requestBody")
        .and_then(|b| b.get("content"))
        .and_then(Value::as_object)
        .map(|c| c.keys().cloned().collect())
        .unwrap_or_default();
    let has_body = !body_types.is_empty();
    let json_body = body_types.iter().any(|t| t == "application/json");
    let writes = WRITES.contains(&method);

    let mut layers: Vec<(u16, &str)> = Vec::new();
    if has_path || has_query || has_body {
        layers.push((
            400,
            "`invalid_query` or `invalid_json`: a path id, query or body that cannot be read; \
             an empty or interrupted upload",
        ));
    }
    if credential_required {
        layers.push((
            401,
            "`unauthenticated`: no credential, or one that has ended",
        ));
    }
    match (credential_required, writes) {
        (true, true) => layers.push((
            403,
            "`forbidden`: not for the caller's role; `seat_only`: a seat credential outside its \
             session's study routes; `cross_origin`: sent from another site's page",
        )),
        (true, false) => layers.push((
            403,
            "`forbidden`: not for the caller's role; `seat_only`: a seat credential outside its \
             session's study routes",
        )),
        (false, true) => layers.push((403, "`cross_origin`: sent from another site's page")),
        (false, false) => {}
    }
    if has_path {
        layers.push((
            404,
            "`not_found`: no such record, or one the caller may not see",
        ));
    }
    if has_body {
        layers.push((413, "`payload_too_large`: the body is over the limit"));
        layers.push((
            415,
            "`unsupported_media_type`: a body of another content type",
        ));
    }
    if json_body {
        layers.push((
            422,
            "`invalid_body`: a field missing, of the wrong type, unknown, or holding a NUL character",
        ));
    }
    layers.push((414, "`uri_too_long`: the path and query are over 8 KiB"));
    layers.push((431, "`headers_too_large`: the headers are over 32 KiB"));
    if !crate::hardening::is_video_upload(method, path) {
        layers.push((
            503,
            "`request_timeout`: not answered within the server's time limit (a body sent too slowly, or a slow server); `Retry-After` gives the seconds to wait",
        ));
    }

    let responses = op
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    let Some(responses) = responses else {
        return;
    };
    for (status, why) in layers {
        let key = status.to_string();
        match responses.get_mut(&key) {
            Some(Value::Object(declared)) => {
                let own = declared
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if !own.contains(why) {
                    let merged = if own.is_empty() {
                        why.to_owned()
                    } else {
                        format!("{own}; {why}")
                    };
                    declared.insert("description".into(), Value::String(merged));
                }
            }
            _ => {
                responses.insert(key, json!({ "description": why }));
            }
        }
    }
    // Every error, declared here or by the route, is the API's error body.
    for (status, response) in responses.iter_mut() {
        let is_error = status.parse::<u16>().is_ok_and(|s| s >= 400);
        if let (true, Some(response)) = (is_error, response.as_object_mut()) {
            response.insert(
                "content".into(),
                json!({"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}),
            );
        }
    }
}

/// `{"type": ["string", "null"]}` → `{"type": "string"}`; `oneOf: [null, X]` → `X`.
fn drop_null(schema: &mut Value) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if let Some(Value::Array(types)) = obj.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types[0].clone();
            obj.insert("type".into(), only);
        }
    }
    let one_of = obj.get("oneOf").and_then(Value::as_array).map(|alts| {
        alts.iter()
            .filter(|a| a.get("type").and_then(Value::as_str) != Some("null"))
            .cloned()
            .collect::<Vec<_>>()
    });
    if let Some(mut alts) = one_of {
        obj.remove("oneOf");
        if alts.len() == 1 {
            if let Some(Value::Object(only)) = alts.pop() {
                obj.extend(only);
            }
        } else {
            obj.insert("oneOf".into(), Value::Array(alts));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(doc: &Value, path: &str, method: &str) -> Value {
        doc["paths"][path][method].clone()
    }

    fn statuses(op: &Value) -> Vec<String> {
        op["responses"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    }

    fn sample() -> Value {
        json!({
            "paths": {
                "/api/things/{id}": {
                    "put": {
                        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                        "requestBody": {"content": {"application/json": {"schema": {}}}},
                        "responses": {"200": {"description": "ok"}, "403": {"description": "not an admin"}}
                    }
                },
                "/api/public": {
                    "get": {
                        "security": [{}],
                        "parameters": [{"name": "q", "in": "query", "required": false, "schema": {"type": ["string", "null"]}}],
                        "responses": {"200": {"description": "ok"}}
                    }
                }
            }
        })
    }

    #[test]
    fn a_signed_in_write_with_a_path_id_and_json_gets_every_layer_answer() {
        let mut doc = sample();
        complete(&mut doc);
        let put = op(&doc, "/api/things/{id}", "put");
        assert_eq!(
            statuses(&put),
            ["200", "400", "401", "403", "404", "413", "414", "415", "422", "431", "503"]
        );
        let forbidden = put["responses"]["403"]["description"].as_str().unwrap();
        assert!(forbidden.starts_with("not an admin; "), "{forbidden}");
        assert!(forbidden.contains("cross_origin"));
        assert_eq!(
            put["responses"]["404"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody"
        );
        assert_eq!(doc["security"], json!([{"session": []}]));
        assert_eq!(
            doc["components"]["securitySchemes"]["session"]["in"],
            "cookie"
        );
    }

    #[test]
    fn a_public_read_gets_no_401_and_its_query_no_null() {
        let mut doc = sample();
        complete(&mut doc);
        let get = op(&doc, "/api/public", "get");
        assert_eq!(statuses(&get), ["200", "400", "414", "431", "503"]);
        assert_eq!(get["parameters"][0]["schema"], json!({"type": "string"}));
    }

    #[test]
    fn an_optional_enum_query_keeps_its_reference() {
        let mut schema = json!({"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/X"}]});
        drop_null(&mut schema);
        assert_eq!(schema, json!({"$ref": "#/components/schemas/X"}));
    }
}
