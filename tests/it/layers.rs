//! The structure of `src/`: folders by role, declared in `src/lib.rs` bottom to top. That declaration
//! is the one list of layers; this suite reads it, checks every `crate::` path of every source file
//! against it (no arrow runs back up), keeps the domain and the use case free of Lambda, HTTP and the
//! SDK, and checks that docs/architecture.md draws the same layers in the same order.

use std::path::{Path, PathBuf};

use crate::support;

/// The layers, bottom to top, as `src/lib.rs` declares them (`pub mod name;`, in order).
fn layers() -> Vec<String> {
    layers_declared_in(&std::fs::read_to_string(support::project_root().join("src/lib.rs")).unwrap())
}

fn layers_declared_in(lib: &str) -> Vec<String> {
    lib.lines().filter_map(|line| line.trim().strip_prefix("pub mod ")?.strip_suffix(';').map(str::to_owned)).collect()
}

/// Every `.rs` file under a folder of the project, as paths relative to the project.
fn rust_files(folder: &str) -> Vec<PathBuf> {
    fn walk(directory: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(directory).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|extension| extension == "rs") {
                found.push(path);
            }
        }
    }
    let root = support::project_root();
    let mut found = Vec::new();
    walk(&root.join(folder), &mut found);
    let mut relative: Vec<PathBuf> =
        found.into_iter().map(|path| path.strip_prefix(&root).unwrap().to_owned()).collect();
    relative.sort();
    relative
}

/// The layer a source file belongs to: its folder under `src/`, or a top-level file's own name.
fn layer_of_file(path: &Path) -> String {
    let inside = path.strip_prefix("src").unwrap();
    let first = inside.components().next().unwrap().as_os_str().to_str().unwrap();
    first.strip_suffix(".rs").unwrap_or(first).to_owned()
}

/// The layers a file's code (its tests aside) names through `crate::`.
fn layers_used(code: &str) -> Vec<String> {
    let mut uses: Vec<String> = code
        .match_indices("crate::")
        .map(|(at, _)| {
            code[at + "crate::".len()..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect()
        })
        .filter(|used: &String| !used.is_empty())
        .collect();
    uses.sort();
    uses.dedup();
    uses
}

fn code_outside_tests(path: &Path) -> String {
    let source = std::fs::read_to_string(support::project_root().join(path)).unwrap();
    source.split("#[cfg(test)]").next().unwrap().to_owned()
}

#[test]
fn every_source_file_sits_in_a_declared_layer_and_uses_only_its_own_or_lower_layers() {
    let layers = layers();
    assert_eq!(layers, ["domain", "use_case", "telemetry", "outbound", "app", "inbound"], "src/lib.rs's layers");
    let position = |layer: &str| layers.iter().position(|l| l == layer);
    for path in rust_files("src") {
        let layer = layer_of_file(&path);
        if ["lib", "main"].contains(&layer.as_str()) {
            continue;
        }
        let own = position(&layer).unwrap_or_else(|| panic!("{} is in no layer of src/lib.rs", path.display()));
        let code = code_outside_tests(&path);
        assert!(!code.contains("super::super::"), "{}: name the crate path, not super::super::", path.display());
        for used in layers_used(&code) {
            let used_at = position(&used).unwrap_or_else(|| panic!("{} uses crate::{used}, no layer", path.display()));
            assert!(used_at <= own, "{} ({layer}) uses crate::{used}: an arrow back up", path.display());
        }
    }
}

#[test]
fn the_domain_and_the_use_case_know_nothing_of_lambda_http_or_the_sdk() {
    let files: Vec<PathBuf> = ["src/domain", "src/use_case"].iter().flat_map(|folder| rust_files(folder)).collect();
    assert!(files.len() > 5, "{files:?}");
    for path in files {
        let source = std::fs::read_to_string(support::project_root().join(&path)).unwrap();
        for transport in ["lambda_http", "lambda_runtime", "http::", "aws_sdk_connect", "aws_smithy", "SdkError"] {
            assert!(!source.contains(transport), "{} mentions {transport}", path.display());
        }
    }
}

#[test]
fn the_architecture_page_draws_the_layers_of_lib_rs_in_order() {
    let page = std::fs::read_to_string(support::project_root().join("docs/architecture.md")).unwrap();
    let mut drawn = drawn_layers(&page);
    drawn.reverse();
    assert_eq!(drawn, layers(), "docs/architecture.md's layer drawing, top to bottom, against src/lib.rs");
}

/// The layers drawn in docs/architecture.md's block after "Layers, top to bottom": the first word of
/// each line that names a folder (`inbound/`) or a top-level file (`app.rs`), `main.rs` aside.
fn drawn_layers(page: &str) -> Vec<String> {
    let block = page.split("Layers, top to bottom").nth(1).expect("the architecture page's layer drawing");
    let block = block.split("```").nth(1).expect("the drawing's code block");
    block
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter_map(|word| word.strip_suffix('/').or_else(|| word.strip_suffix(".rs")))
        .filter(|name| *name != "main")
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_sdk_behaviour_is_pinned_to_a_dated_version_everywhere() {
    // `BehaviorVersion::latest()` changes the SDK's defaults whenever a dependency update moves it.
    let this_file = Path::new("tests/it/layers.rs");
    for path in rust_files("src").into_iter().chain(rust_files("tests")).filter(|path| path != this_file) {
        let source = std::fs::read_to_string(support::project_root().join(&path)).unwrap();
        assert!(!source.contains("BehaviorVersion::latest"), "{} uses BehaviorVersion::latest()", path.display());
    }
    let main = std::fs::read_to_string(support::project_root().join("src/main.rs")).unwrap();
    assert!(
        main.contains("aws_config::defaults(connect_sdk::behavior_version())"),
        "main builds the client with the pin"
    );
}

#[test]
fn a_layer_list_and_a_drawing_are_read_as_written() {
    // The readers themselves, on text whose answer is known: a wrong reader would pass everything above.
    assert_eq!(layers_declared_in("//! doc\n/// a\npub mod domain;\nmod private;\npub mod app;\n"), ["domain", "app"]);
    assert_eq!(
        layers_used("use crate::domain::error::Error;\nuse crate::app::App; crate::domain::x"),
        ["app", "domain"]
    );
    let page = "x\nLayers, top to bottom:\n\n```\nmain.rs  start\n  ↓\ninbound/   the adapters\n  ↓\napp.rs\n```\n";
    assert_eq!(drawn_layers(page), ["inbound", "app"]);
}
