//! Builds the web client (`web-client/` into `web-client/dist`), which the server embeds,
//! when npm is present and the build is missing or older than its sources. Without npm, or
//! when the build fails, the Rust build still succeeds with a warning: a `dist/` already
//! there is embedded as it is, and without one the server's pages say how to build it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::SystemTime;

/// What the web client's build reads. Never `node_modules/` or `dist/` as a whole: the
/// client's own build would look like a change to its sources.
const INPUTS: &[&str] = &[
    "package.json",
    "package-lock.json",
    "graphiql.html",
    "index.html",
    "vite.config.ts",
    "codegen.ts",
    "tsconfig.json",
    "src",
    "public",
    "../schema.graphql",
];

/// What the build itself writes inside the inputs: the types graphql-codegen generates from
/// the schema and the documents. Watching it would make every build look like a change.
const GENERATED: &str = "src/gql";

/// The page every build of the client writes; its age is the age of the build.
const BUILT_MARKER: &str = "dist/index.html";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let Some(manifest_dir) = std::env::var_os("CARGO_MANIFEST_DIR") else {
        return;
    };
    let web = PathBuf::from(manifest_dir).join("web-client");
    if !web.join("package.json").is_file() {
        return;
    }
    let generated = web.join(GENERATED);
    for input in INPUTS {
        for path in watched(&web.join(input), &generated) {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    let marker = web.join(BUILT_MARKER);
    // The marker alone is watched, so that a deleted `dist/` is built again and a build by
    // hand gets embedded (see `date_back` for the build made here).
    println!("cargo:rerun-if-changed={}", marker.display());
    let newest_input = INPUTS
        .iter()
        .filter_map(|i| newest(&web.join(i), &generated))
        .max();
    let fresh = match (modified(&marker), newest_input) {
        (Some(built), Some(input)) => built >= input,
        (built, None) => built.is_some(),
        (None, _) => false,
    };
    if fresh {
        return;
    }
    match build(&web) {
        Ok(()) => date_back(&marker, newest_input),
        Err(problem) => {
            let state = if marker.exists() {
                "the server embeds the previous build of web-client/dist"
            } else {
                "the server is built without it and its GraphiQL page says how to build it"
            };
            warn(&format!("the web client was not built: {problem}; {state}"));
            warn("to build it: install Node.js 20.19 or later with npm, then run `cargo build` again (or `npm ci && npm run build` in web-client/)");
        }
    }
}

/// Gives the fresh build the date of its newest source: still as new as its sources, and
/// older than this script's start, which cargo would otherwise take for a change to rebuild.
fn date_back(marker: &Path, newest_input: Option<SystemTime>) {
    let Some(input) = newest_input else {
        return;
    };
    let dated = std::fs::File::options()
        .write(true)
        .open(marker)
        .and_then(|file| file.set_modified(input));
    if let Err(e) = dated {
        warn(&format!("could not date {}: {e}", marker.display()));
    }
}

fn build(web: &Path) -> Result<(), String> {
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    match Command::new(npm).arg("--version").output() {
        Ok(out) if out.status.success() => {}
        _ => return Err("npm was not found".to_owned()),
    }
    // npm writes node_modules/.package-lock.json on every install: older than the lock (or
    // missing) means the installed packages are not the locked ones.
    let installed = modified(&web.join("node_modules/.package-lock.json"));
    let locked = modified(&web.join("package-lock.json"));
    if installed.is_none() || installed < locked {
        run(web, npm, &["ci", "--no-audit", "--no-fund"])?;
    }
    run(web, npm, &["run", "build"])
}

fn run(web: &Path, npm: &str, args: &[&str]) -> Result<(), String> {
    let what = format!("npm {}", args.join(" "));
    let output: Output = Command::new(npm)
        .args(args)
        .current_dir(web)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .output()
        .map_err(|e| format!("`{what}` did not start: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().chain(stderr.lines()).collect();
    for line in &lines[lines.len().saturating_sub(20)..] {
        warn(line);
    }
    Err(format!("`{what}` failed ({})", output.status))
}

fn warn(message: &str) {
    println!("cargo:warning={message}");
}

fn modified(path: &Path) -> Option<SystemTime> {
    path.metadata().and_then(|m| m.modified()).ok()
}

/// The newest modification time of a file, or of any file under a folder, `skip` aside.
fn newest(path: &Path, skip: &Path) -> Option<SystemTime> {
    if path == skip {
        return None;
    }
    let meta = path.metadata().ok()?;
    if !meta.is_dir() {
        return meta.modified().ok();
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| newest(&entry.path(), skip))
        .max()
}

/// The paths to watch for `input`: itself, or, when `skip` lies inside it, its entries
/// (recursively) other than `skip`, since cargo watches a folder with all it holds.
fn watched(input: &Path, skip: &Path) -> Vec<PathBuf> {
    if !input.exists() || input == skip {
        return Vec::new();
    }
    if !input.is_dir() || !skip.starts_with(input) {
        return vec![input.to_path_buf()];
    }
    std::fs::read_dir(input)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .flat_map(|entry| watched(&entry.path(), skip))
                .collect()
        })
        .unwrap_or_default()
}
