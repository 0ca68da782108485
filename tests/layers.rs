//! The structure of `src/` as the README draws it: each module uses only modules of lower layers, so
//! no arrow runs back up (the domain knows nothing of the SDK call, the adapters or Lambda). Read from
//! the sources' `crate::` and `super::` paths (in a top-level module, `super::` is the crate), test
//! modules aside.

mod support;

use std::collections::BTreeMap;

/// Bottom to top, as in the README's drawing.
const LAYERS: [&[&str]; 11] = [
    &["error"],
    &["config", "reference", "arn", "messages"],
    &["attached_file", "metrics", "tls", "rate", "request_guard"],
    &["query"],
    &["download_request"],
    &["use_case"],
    &["access", "envelope", "connect", "logging"],
    &["app", "http_response", "warm_up"],
    &["http_request"],
    &["http", "contact_flow"],
    &["handler"],
];

/// The domain and the use case: nothing of Lambda, HTTP or the SDK.
const DOMAIN: [&str; 12] = [
    "error",
    "config",
    "reference",
    "arn",
    "messages",
    "attached_file",
    "query",
    "download_request",
    "rate",
    "metrics",
    "access",
    "use_case",
];

fn layer_of(module: &str) -> usize {
    LAYERS.iter().position(|layer| layer.contains(&module)).unwrap_or_else(|| panic!("src/{module}.rs has no layer"))
}

/// The crate modules each library module uses, outside its tests.
fn dependencies() -> BTreeMap<String, Vec<String>> {
    let mut found = BTreeMap::new();
    for name in support::file_names("src") {
        let Some(module) = name.strip_suffix(".rs").filter(|m| !["lib", "main"].contains(m)) else { continue };
        let source = std::fs::read_to_string(support::project_root().join("src").join(&name)).unwrap();
        let code = source.split("#[cfg(test)]").next().unwrap();
        found.insert(module.to_owned(), modules_used(code, module));
    }
    found
}

/// The crate modules a top-level module's code names through `crate::` or `super::` (there, the crate).
fn modules_used(code: &str, module: &str) -> Vec<String> {
    let mut uses: Vec<String> = ["crate::", "super::"]
        .iter()
        .flat_map(|prefix| {
            code.match_indices(prefix).map(|(at, _)| {
                code[at + prefix.len()..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect()
            })
        })
        .filter(|used: &String| !used.is_empty() && used != module)
        .collect();
    uses.sort();
    uses.dedup();
    uses
}

#[test]
fn every_module_uses_only_lower_layers() {
    let dependencies = dependencies();
    let drawn: usize = LAYERS.iter().map(|layer| layer.len()).sum();
    assert_eq!(dependencies.len(), drawn, "every module of src/ is drawn, and only those: {dependencies:?}");
    for (module, uses) in &dependencies {
        for used in uses {
            assert!(
                layer_of(used) < layer_of(module),
                "src/{module}.rs uses crate::{used}, which is not below it: an arrow back up"
            );
        }
    }
}

#[test]
fn the_domain_and_the_use_case_know_nothing_of_lambda_http_or_the_sdk() {
    for module in DOMAIN {
        let source = std::fs::read_to_string(support::project_root().join(format!("src/{module}.rs"))).unwrap();
        for transport in ["lambda_http", "lambda_runtime", "http::", "aws_sdk_connect", "aws_smithy", "SdkError"] {
            assert!(!source.contains(transport), "src/{module}.rs mentions {transport}");
        }
    }
}

#[test]
fn the_sdk_behaviour_is_pinned_to_a_dated_version_everywhere() {
    // `BehaviorVersion::latest()` changes the SDK's defaults whenever a dependency update moves it.
    let mut sources = support::file_names("src").into_iter().map(|name| format!("src/{name}")).collect::<Vec<_>>();
    sources.extend(support::file_names("tests").into_iter().map(|name| format!("tests/{name}")));
    sources.push("tests/support/mod.rs".into());
    for path in sources.iter().filter(|path| path.ends_with(".rs") && !path.ends_with("layers.rs")) {
        let source = std::fs::read_to_string(support::project_root().join(path)).unwrap();
        assert!(!source.contains("BehaviorVersion::latest"), "{path} uses BehaviorVersion::latest()");
    }
    let main = std::fs::read_to_string(support::project_root().join("src/main.rs")).unwrap();
    assert!(main.contains("aws_config::defaults(connect::behavior_version())"), "main builds the client with the pin");
}

#[test]
fn a_super_path_is_read_as_the_crate_path_it_is() {
    // A top-level module's `super::` is the crate: `use super::app::App;` in the domain would be an
    // arrow back up that `crate::` alone would not see.
    let code = "use super::app::App;\nuse crate::error::Error;\nuse crate::query::{self, RawQuery};";
    assert_eq!(modules_used(code, "query"), ["app", "error"]);
}
