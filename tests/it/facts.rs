//! One source for each fact: the error codes and their statuses live in the code's one table
//! (`ErrorKind::code`, `http_response::codes_and_statuses`); the docs' failure table and the OpenAPI
//! document's code enum are checked against it here, so that neither can drift.

use std::collections::BTreeSet;

use connect_references::inbound::http::codes_and_statuses;

use crate::support;

fn the_codes_table() -> BTreeSet<(String, u16)> {
    codes_and_statuses().map(|(code, status)| (code.to_owned(), status.as_u16())).collect()
}

/// The `| situation | status | code |` rows of a Markdown table: (code, status).
fn markdown_codes(page: &str) -> BTreeSet<(String, u16)> {
    page.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let [_, _, status, code, _] = cells.as_slice() else { return None };
            let code = code.strip_prefix('`')?.strip_suffix('`')?;
            Some((code.to_owned(), status.parse().ok()?))
        })
        .collect()
}

/// The names in the `enum: [...]` that follows `code:` in an OpenAPI document's Failure schema.
fn openapi_failure_codes(document: &str) -> BTreeSet<String> {
    let after = document.split("          properties:\n            code:").nth(1).expect("the Failure schema's code");
    let list = after.split('[').nth(1).and_then(|rest| rest.split(']').next()).expect("its enum");
    list.split(',').map(|code| code.trim().to_owned()).filter(|code| !code.is_empty()).collect()
}

#[test]
fn the_http_guides_failure_table_is_the_codes_table() {
    let page = std::fs::read_to_string(support::project_root().join("docs/http-api.md")).unwrap();
    assert_eq!(markdown_codes(&page), the_codes_table(), "docs/http-api.md's failures against the code");
}

#[test]
fn the_openapi_failure_codes_are_the_codes_table() {
    let document = std::fs::read_to_string(support::project_root().join("docs/openapi.yaml")).unwrap();
    let codes: BTreeSet<String> = the_codes_table().into_iter().map(|(code, _)| code).collect();
    assert_eq!(openapi_failure_codes(&document), codes, "docs/openapi.yaml's Failure.code enum against the code");
}

#[test]
fn the_readers_read_what_is_written() {
    let table = "| a | 400 | `VALIDATION_ERROR` |\n| b | 501 | `X_Y` |\n| not | a | row |\n";
    assert_eq!(markdown_codes(table), BTreeSet::from([("VALIDATION_ERROR".into(), 400), ("X_Y".into(), 501)]));
    let document = "x\n          properties:\n            code:\n              enum: [A, B,\n                     C]\n";
    assert_eq!(openapi_failure_codes(document), BTreeSet::from(["A".into(), "B".into(), "C".into()]));
}
