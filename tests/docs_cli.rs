//! The documentation rendered from the clap definitions, through the real
//! binary: the committed command reference, completions and man pages must
//! equal what the code produces now (regenerate with `sh scripts/gen-docs.sh`).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::describe;

const REGENERATE: &str = "regenerate with `sh scripts/gen-docs.sh` and commit the result";

fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs")
}

/// `vassalrun ARGS` with no VASSALRUN_* variables, stdout as text.
fn vassalrun(args: &[&str]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vassalrun"));
    for (key, _) in std::env::vars() {
        if key.starts_with("VASSALRUN_") {
            cmd.env_remove(key);
        }
    }
    let out = cmd.args(args).output().expect("run vassalrun");
    assert!(out.status.success(), "{}", describe(&out));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn committed(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}; {REGENERATE}", path.display()))
}

fn assert_same(path: &Path, generated: &str) {
    assert!(
        committed(path) == generated,
        "{} differs from the code; {REGENERATE}",
        path.display()
    );
}

#[test]
fn test_commands_reference_matches_code() {
    let generated = vassalrun(&["internal-docs", "commands"]);
    assert!(generated.contains("## vassalrun run\n"), "{generated}");
    assert_same(&docs_dir().join("commands.md"), &generated);
}

#[test]
fn test_completions_match_code() {
    for (shell, file) in [
        ("bash", "vassalrun.bash"),
        ("zsh", "_vassalrun"),
        ("fish", "vassalrun.fish"),
    ] {
        let generated = vassalrun(&["completion", shell]);
        assert!(generated.contains("completion"), "{shell}: {generated}");
        assert_same(&docs_dir().join("completions").join(file), &generated);
    }
    // The bash script parses (bash is always there; zsh and fish may not be).
    let out = Command::new("bash")
        .arg("-n")
        .arg(docs_dir().join("completions/vassalrun.bash"))
        .output()
        .expect("run bash");
    assert!(out.status.success(), "{}", describe(&out));
}

#[test]
fn test_completion_rejects_unknown_shell() {
    let out = Command::new(env!("CARGO_BIN_EXE_vassalrun"))
        .args(["completion", "tcsh"])
        .output()
        .expect("run vassalrun");
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("tcsh"),
        "{}",
        describe(&out)
    );
}

/// Every file of a directory, by name.
fn files(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}; {REGENERATE}", dir.display()))
        .flatten()
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, committed(&e.path()))
        })
        .collect()
}

#[test]
fn test_man_pages_match_code() {
    let tmp = tempfile::tempdir().expect("temp dir");
    vassalrun(&["man", tmp.path().to_str().unwrap()]);
    let generated = files(tmp.path());
    assert!(generated.contains_key("vassalrun.1"), "{generated:?}");
    assert!(generated.contains_key("vassalrun-run.1"), "{generated:?}");
    let committed = files(&docs_dir().join("man"));
    let names = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&committed), names(&generated), "{REGENERATE}");
    for (name, text) in &generated {
        assert!(
            committed[name] == *text,
            "docs/man/{name} differs from the code; {REGENERATE}"
        );
    }
}
