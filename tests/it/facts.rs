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

/// The template's parameter `name`: each `Key: value` line of its block (quotes dropped).
fn template_parameter(template: &str, name: &str) -> std::collections::BTreeMap<String, String> {
    let parameters = format!("\n{}", template.split("\nParameters:\n").nth(1).expect("the template's Parameters"));
    let block = parameters.split(&format!("\n  {name}:\n")).nth(1).unwrap_or_else(|| panic!("no parameter {name}"));
    block
        .lines()
        .take_while(|line| line.starts_with("    "))
        .filter_map(|line| line.trim().split_once(": "))
        .map(|(key, value)| (key.to_owned(), value.trim().trim_matches('"').to_owned()))
        .collect()
}

#[test]
fn the_templates_parameters_are_the_settings_table() {
    use connect_references::domain::settings::{Range, ALL};
    let template = std::fs::read_to_string(support::project_root().join("template.yaml")).unwrap();
    let mut checked = 0;
    for setting in ALL {
        for parameter in setting.parameters {
            let declared = template_parameter(&template, parameter.name);
            let default = declared.get("Default").map(String::as_str).unwrap_or("");
            assert_eq!(default, parameter.default, "{}'s Default (setting {})", parameter.name, setting.name);
            match setting.range {
                Range::Number { min, max } => {
                    let bound = |key: &str| declared.get(key).and_then(|v| v.parse::<f64>().ok());
                    assert_eq!((bound("MinValue"), bound("MaxValue")), (Some(min), Some(max)), "{}", parameter.name);
                }
                Range::Whole { min, max } => {
                    let bound = |key: &str| declared.get(key).and_then(|v| v.parse::<u32>().ok());
                    assert_eq!((bound("MinValue"), bound("MaxValue")), (Some(min), Some(max)), "{}", parameter.name);
                }
                Range::Flag => {
                    let allowed = declared.get("AllowedValues").map(String::as_str);
                    assert_eq!(allowed, Some(r#"["true", "false"]"#), "{}", parameter.name);
                }
                Range::Text => {}
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked} parameters checked");
}

#[test]
fn the_deployment_guides_variables_are_the_settings_table() {
    use connect_references::domain::settings::ALL;
    let page = std::fs::read_to_string(support::project_root().join("docs/deployment.md")).unwrap();
    let rows: Vec<&str> = page.lines().filter(|line| line.starts_with("| `")).collect();
    for setting in ALL {
        let row = rows
            .iter()
            .find(|row| row.split('|').nth(1).is_some_and(|cell| cell.contains(&format!("`{}`", setting.name))))
            .unwrap_or_else(|| panic!("docs/deployment.md has no row for {}", setting.name));
        if let Some(range) = setting.range_in_words() {
            let default = setting.default.expect("a number has a default");
            assert!(row.contains(&format!("({range}, default {default})")), "{}'s row: {row}", setting.name);
        }
    }
}

#[test]
fn a_parameter_block_is_read_as_written() {
    let template = "x\nParameters:\n  Rate:\n    Type: Number\n    Default: 1\n    MinValue: 0.01\n  Flag:\n    Default: \"false\"\n";
    let rate = template_parameter(template, "Rate");
    assert_eq!((rate["Default"].as_str(), rate["MinValue"].as_str()), ("1", "0.01"));
    assert_eq!(template_parameter(template, "Flag")["Default"], "false");
}
