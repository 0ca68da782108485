//! The structure of `src/` as the README draws it: each module uses only modules of lower layers, so
//! no arrow runs back up (the domain knows nothing of the SDK call, the adapters or Lambda). Read from
//! the sources' `crate::` paths, test modules aside.

mod support;

use std::collections::BTreeMap;

/// Bottom to top, as in the README's drawing.
const LAYERS: [&[&str]; 7] = [
    &["error", "config", "reference", "arn"],
    &["attachments", "metrics", "tls"],
    &["query"],
    &["access", "envelope", "connect", "logging"],
    &["app"],
    &["http", "contact_flow"],
    &["handler"],
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
        let mut uses: Vec<String> = code
            .match_indices("crate::")
            .map(|(at, _)| code[at + 7..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect())
            .filter(|used: &String| !used.is_empty() && used != module)
            .collect();
        uses.sort();
        uses.dedup();
        found.insert(module.to_owned(), uses);
    }
    found
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
fn the_domain_knows_nothing_of_lambda_or_http() {
    for module in ["error", "config", "reference", "arn", "attachments", "query", "metrics", "access"] {
        let source = std::fs::read_to_string(support::project_root().join(format!("src/{module}.rs"))).unwrap();
        for transport in ["lambda_http", "lambda_runtime", "http::", "aws_sdk_connect::Client", "SdkError"] {
            assert!(!source.contains(transport), "src/{module}.rs mentions {transport}");
        }
    }
}
