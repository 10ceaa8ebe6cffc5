//! Storage returns rows, never the API's answer types: those are built in `views/`. This test
//! reads every storage module and fails on any type of `qinxue_core` that is not one of the
//! rules both sides share (see ARCHITECTURE.md, "Rows and views").

use std::path::{Path, PathBuf};

/// The types of `qinxue_core` storage may name: enums of stored state, the ledger's state
/// machine, the policy year, a certificate's signed facts, error codes, and the validated
/// request inputs that storage writes as they are. Everything else there is an answer type.
const RULES: &[&str] = &[
    "ActivityInput",
    "ActivityKind",
    "ActivityStatus",
    "CertificateFacts",
    "CourseCategory",
    "CourseInput",
    "DayTotal",
    "EmploymentType",
    "ErrorCode",
    "Grade",
    "GroupFormat",
    "GroupStatus",
    "ItemOutcome",
    "LessonInput",
    "LessonKind",
    "LessonProgress",
    "OpenCheck",
    "OrderKind",
    "OrderStatus",
    "PolicyYear",
    "QuestionInput",
    "QuestionKind",
    "RefundReason",
    "ReminderKind",
    "Role",
    "SeatEnd",
    "Session",
    "TenthsBySource",
    "YearRules",
];

/// Every name a source text takes from `qinxue_core`: the type a path names (else its last
/// segment), each item of a `{…}` group; a path through `qinxue_core::api` (all answer types) counts as
/// `api`. Comments are left out.
fn core_names(text: &str) -> Vec<String> {
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let mut names = Vec::new();
    for (at, _) in code.match_indices("qinxue_core::") {
        let rest = &code[at + "qinxue_core::".len()..];
        if rest.starts_with("api::") || rest.starts_with("api;") || rest.starts_with("api ") {
            names.push("api".to_owned());
            continue;
        }
        collect(rest, &mut names);
    }
    names
}

/// The names of one path or group at the start of `rest`.
fn collect(rest: &str, names: &mut Vec<String>) {
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(rest.len());
    let path = &rest[..end];
    if (path.is_empty() || path.ends_with("::")) && rest[end..].starts_with('{') {
        let mut depth = 0;
        let mut item_start = end + 1;
        for (i, c) in rest[end..].char_indices() {
            let i = end + i;
            match c {
                '{' => depth += 1,
                '}' | ',' if depth == 1 => {
                    let item = rest[item_start..i].trim();
                    if !item.is_empty() {
                        collect(item, names);
                    }
                    item_start = i + 1;
                    if c == '}' {
                        return;
                    }
                }
                '}' => depth -= 1,
                _ => {}
            }
        }
        return;
    }
    // The type in `Role::Trainee.as_str()` is `Role`: the first capitalised segment.
    let segments: Vec<&str> = path.trim_end_matches(':').split("::").collect();
    let name = segments
        .iter()
        .find(|s| s.starts_with(|c: char| c.is_ascii_uppercase()))
        .or(segments.last())
        .copied()
        .unwrap_or_default();
    if !name.is_empty() && name != "self" {
        names.push(name.to_owned());
    }
}

/// A type's name (CamelCase), not a module, function or constant.
fn is_type(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase()) && name.chars().any(|c| c.is_lowercase())
}

fn storage_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/storage"),
        &mut files,
    );
    files
}

#[test]
fn names_are_read_from_paths_and_groups() {
    let text = "use qinxue_core::api::{Course, Unit};\n\
                use qinxue_core::ledger::{self, DayTotal, Session as S};\n\
                use qinxue_core::{Grade, order::{OrderKind, OrderStatus}};\n\
                // qinxue_core::Hidden\n\
                let r = qinxue_core::Role::Trainee.as_str(); qinxue_core::time::local_date(x);";
    assert_eq!(
        core_names(text),
        [
            "api",
            "DayTotal",
            "Session",
            "Grade",
            "OrderKind",
            "OrderStatus",
            "Role",
            "local_date"
        ]
    );
}

#[test]
fn storage_names_no_answer_type_of_core() {
    let files = storage_files();
    assert!(files.len() > 10, "the source tree was not found");
    let mut found = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(file).unwrap();
        for n in core_names(&text) {
            let allowed = RULES.contains(&n.as_str()) || (n != "api" && !is_type(&n));
            if !allowed {
                found.push(format!("{name}: qinxue_core::…{n}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "storage names answer types of qinxue_core (return a row and build the answer in \
         views/; if the type is a shared rule, add it to RULES):\n{}",
        found.join("\n")
    );
}

/// The layers point one way: routes → services → storage. Storage takes nothing of the
/// services, the routes or the views (a type both need lives in storage or in core).
#[test]
fn storage_depends_on_no_upper_layer() {
    let mut found = Vec::new();
    for file in storage_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if ["crate::services", "crate::routes", "crate::views"]
                .iter()
                .any(|layer| code.contains(layer))
            {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "storage depends on an upper layer:\n{}",
        found.join("\n")
    );
}
