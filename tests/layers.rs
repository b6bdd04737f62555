//! The layering, checked on the source: domain <- providers and crypto <- store <- services
//! <- graphql and http. A file's layer is its first folder (or file) under `src/`; an import is
//! any `crate::<module>` it names outside its test modules.
//!
//! And database rows and SQL stay in `store/`: no file of services, graphql or http names
//! `store::entities` or builds a statement.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Whether `layer` may not import `module`.
fn forbidden(layer: &str, module: &str) -> bool {
    let only = |allowed: &[&str]| !allowed.contains(&module);
    match layer {
        "domain" => only(&["domain"]),
        "crypto" => only(&["crypto", "domain"]),
        "providers" => only(&["providers", "domain", "crypto"]),
        "store" => ["providers", "services", "graphql", "http"].contains(&module),
        "services" => ["graphql", "http"].contains(&module),
        "graphql" | "http" => ["store", "config"].contains(&module),
        _ => false,
    }
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Modules declared `#[cfg(test)] mod name;`: files of tests only.
fn test_files(files: &[PathBuf]) -> BTreeSet<PathBuf> {
    let mut tests = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        let dir = match file.file_name().and_then(|n| n.to_str()) {
            Some("mod.rs" | "lib.rs" | "main.rs") => file.parent().unwrap().to_path_buf(),
            _ => file.with_extension(""),
        };
        let mut lines = text.lines().map(str::trim);
        while let Some(line) = lines.next() {
            if line != "#[cfg(test)]" {
                continue;
            }
            let Some(next) = lines.next() else { break };
            if let Some(name) = next
                .strip_prefix("mod ")
                .or_else(|| next.strip_prefix("pub mod "))
                .or_else(|| next.strip_prefix("pub(crate) mod "))
                .and_then(|n| n.strip_suffix(';'))
            {
                tests.insert(dir.join(format!("{name}.rs")));
                tests.insert(dir.join(name).join("mod.rs"));
            }
        }
    }
    tests
}

/// The modules of ours a file names, outside inline test modules.
fn imports(text: &str) -> BTreeSet<String> {
    let code = text
        .split("#[cfg(test)]\nmod tests {")
        .next()
        .unwrap_or_default();
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let name = item.trim().split("::").next().unwrap_or_default();
                if !name.is_empty() {
                    found.insert(name.to_owned());
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            found.insert(name);
        }
    }
    found
}

#[test]
fn no_layer_imports_what_is_above_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    let tests = test_files(&files);
    let mut crossings = BTreeSet::new();
    for file in files.iter().filter(|f| !tests.contains(*f)) {
        let relative = file.strip_prefix(root).unwrap();
        let layer = relative
            .iter()
            .nth(1)
            .unwrap()
            .to_str()
            .unwrap()
            .trim_end_matches(".rs");
        let text = std::fs::read_to_string(file).unwrap();
        for module in imports(&text) {
            if module != layer && forbidden(layer, &module) {
                crossings.insert((relative.to_str().unwrap().to_owned(), module));
            }
        }
    }
    assert!(
        crossings.is_empty(),
        "imports across the layers: {crossings:?}"
    );
}

/// Whether `text` names a database row type or builds SQL: what stays in `store/`.
fn rows_or_sql(text: &str) -> Vec<&'static str> {
    let mut found: Vec<&'static str> = [
        "store::entities",
        "Statement::from_sql",
        "execute_unprepared",
    ]
    .into_iter()
    .filter(|mark| text.contains(mark))
    .collect();
    // `use crate::store::{entities::x, Store}` names the rows too.
    let grouped = text.match_indices("store::{").any(|(at, _)| {
        let group = &text[at + "store::{".len()..];
        let group = &group[..group.find('}').unwrap_or(group.len())];
        group
            .split(',')
            .any(|item| item.trim().starts_with("entities"))
    });
    if grouped {
        found.push("store::{entities}");
    }
    found
}

#[test]
fn rows_and_sql_stay_in_the_store() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for layer in ["services", "graphql", "http"] {
        sources(&root.join("src").join(layer), &mut files);
    }
    let mut found = BTreeSet::new();
    for file in &files {
        let relative = file
            .strip_prefix(root)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        let text = std::fs::read_to_string(file).unwrap();
        for mark in rows_or_sql(&text) {
            found.insert((relative.clone(), mark));
        }
    }
    assert!(
        found.is_empty(),
        "rows or SQL outside the store (move them behind a store function that answers a \
         record): {found:?}"
    );
}

#[test]
fn rows_and_sql_are_recognised() {
    assert!(rows_or_sql("use crate::store::Store;\nuse sea_orm::ConnectionTrait;").is_empty());
    assert_eq!(
        rows_or_sql("use crate::store::entities::user;"),
        ["store::entities"]
    );
    assert_eq!(
        rows_or_sql("use crate::store::{Store, entities::user};"),
        ["store::{entities}"]
    );
    assert_eq!(
        rows_or_sql("db.execute(Statement::from_sql_and_values(b, q, v))"),
        ["Statement::from_sql"]
    );
    assert_eq!(
        rows_or_sql("txn.execute_unprepared(\"SELECT 1\")"),
        ["execute_unprepared"]
    );
}

#[test]
fn imports_are_read_from_paths_and_groups() {
    let text = "use crate::store::{A, B};\nuse crate::{config::Secret, domain};\nfn f() { crate::http::x(); }\n#[cfg(test)]\nmod tests {\n use crate::graphql::Y;\n}\n";
    let found: Vec<String> = imports(text).into_iter().collect();
    assert_eq!(found, ["config", "domain", "http", "store"]);
    assert!(forbidden("domain", "store"));
    assert!(forbidden("graphql", "store"));
    assert!(!forbidden("graphql", "domain"));
    assert!(forbidden("store", "services"));
    assert!(forbidden("services", "graphql"));
    assert!(!forbidden("services", "store"));
}
