//! Run modules through the real binary: `modules.d` files whose arguments
//! reach `vassalrun spec`'s output, their order, the override rules, match
//! conditions, the compiled-in modules, `spec --explain`, and bad files
//! (one line naming file and line, exit 125, no output).

mod common;

use common::{busybox_dir, describe, json_stdout, TestEnv};
use serde_json::Value;

/// A test env whose `modules.d` holds `files` (name, TOML text).
fn env_with(files: &[(&str, &str)]) -> TestEnv {
    let env = TestEnv::new();
    let dir = env.config_dir().join("modules.d");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    env
}

fn spec(env: &TestEnv, flags: &[&str]) -> Value {
    let img = busybox_dir().display().to_string();
    let mut args = vec!["spec"];
    args.extend_from_slice(flags);
    args.extend([img.as_str(), "true"]);
    json_stdout(&env.run(&args))
}

fn explain(env: &TestEnv, flags: &[&str]) -> String {
    let img = busybox_dir().display().to_string();
    let mut args = vec!["spec", "--explain"];
    args.extend_from_slice(flags);
    args.push(img.as_str());
    let out = env.run(&args);
    assert!(out.status.success(), "{}", describe(&out));
    String::from_utf8(out.stdout).unwrap()
}

fn env_list(spec: &Value) -> Vec<String> {
    spec["process"]["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn memory(spec: &Value) -> &Value {
    &spec["linux"]["resources"]["memory"]["limit"]
}

fn pids(spec: &Value) -> &Value {
    &spec["linux"]["resources"]["pids"]["limit"]
}

#[test]
fn test_module_args_reach_the_spec() {
    let env = env_with(&[(
        "50-limits.toml",
        "priority = 50\nargs = [\"--pids-limit=512\", \"-e\", \"FROM_MODULE=1\", \"--hostname\", \"web\"]\n",
    )]);
    let s = spec(&env, &[]);
    assert_eq!(pids(&s), 512);
    assert_eq!(s["hostname"], "web");
    assert!(env_list(&s).contains(&"FROM_MODULE=1".to_string()), "{s}");
}

#[test]
fn test_no_modules_dir_changes_nothing() {
    let env = TestEnv::new();
    let s = spec(&env, &["-e", "A=1"]);
    assert!(memory(&s).is_null(), "{s}");
    assert!(env_list(&s).contains(&"A=1".to_string()));
}

#[test]
fn test_user_flags_win_unless_the_module_overrides() {
    let env = env_with(&[
        (
            "10-soft.toml",
            "args = [\"-m\", \"256m\", \"-e\", \"MODE=module\"]\n",
        ),
        (
            "20-hard.toml",
            "priority = 20\noverride = true\nargs = [\"--pids-limit=100\"]\n",
        ),
    ]);
    let s = spec(&env, &["-m", "1g", "-e", "MODE=user", "--pids-limit", "50"]);
    assert_eq!(memory(&s), 1 << 30);
    assert_eq!(pids(&s), 100);
    let modes: Vec<String> = env_list(&s)
        .into_iter()
        .filter(|e| e.starts_with("MODE="))
        .collect();
    assert_eq!(modes, ["MODE=user"]);
    // Without the user's flags the soft module's values apply.
    let s = spec(&env, &[]);
    assert_eq!(memory(&s), 256 << 20);
    assert!(env_list(&s).contains(&"MODE=module".to_string()));
}

#[test]
fn test_modules_run_in_ascending_priority() {
    // File names sort the other way round: priority decides, not the file system.
    let env = env_with(&[
        (
            "a-late.toml",
            "priority = 20\nargs = [\"--hostname=late\"]\n",
        ),
        (
            "b-early.toml",
            "priority = -5\nargs = [\"--hostname=early\"]\n",
        ),
    ]);
    assert_eq!(spec(&env, &[])["hostname"], "late");
    let text = explain(&env, &[]);
    let early = text.find("b-early").unwrap();
    let late = text.find("a-late").unwrap();
    assert!(early < late, "{text}");
    assert!(
        text.contains("applied, replacing --hostname=early"),
        "{text}"
    );
}

#[test]
fn test_match_conditions_select_containers() {
    let env = env_with(&[
        (
            "10-web.toml",
            "args = [\"-e\", \"WEB=1\"]\n[match]\nname = [\"web-*\"]\nnetwork = [\"host\"]\n",
        ),
        (
            "20-default-pids.toml",
            "priority = 20\nargs = [\"--pids-limit=64\"]\n[match]\nflag-absent = [\"pids-limit\"]\nlabel = [\"tier=front*\"]\n",
        ),
        (
            "30-other-image.toml",
            "priority = 30\nargs = [\"-e\", \"OTHER=1\"]\n[match]\nimage = [\"registry.example.com/*\"]\n",
        ),
    ]);
    let s = spec(
        &env,
        &["--name", "web-1", "--net", "host", "-l", "tier=frontend"],
    );
    let vars = env_list(&s);
    assert!(vars.contains(&"WEB=1".to_string()), "{vars:?}");
    assert!(!vars.iter().any(|v| v.starts_with("OTHER=")), "{vars:?}");
    assert_eq!(pids(&s), 64);
    // Other name, no label, own pids limit: nothing matches.
    let s = spec(
        &env,
        &["--name", "db-1", "--net", "host", "--pids-limit", "7"],
    );
    assert!(!env_list(&s).contains(&"WEB=1".to_string()));
    assert_eq!(pids(&s), 7);
    let text = explain(&env, &["--name", "db-1", "--net", "host"]);
    assert!(
        text.contains("10-web  ") && text.contains("(match.name does not match)"),
        "{text}"
    );
    assert!(text.contains("(match.label does not match)"), "{text}");
}

#[test]
fn test_builtin_default_memory_sees_config_json() {
    let env = env_with(&[(
        "90-default-memory.toml",
        "builtin = \"default-memory\"\npriority = 90\n[options]\nmemory = \"128m\"\n",
    )]);
    assert_eq!(memory(&spec(&env, &[])), 128 << 20);
    assert_eq!(memory(&spec(&env, &["--memory", "64m"])), 64 << 20);
    let json = env.dir.path().join("create.json");
    std::fs::write(&json, r#"{"HostConfig": {"Memory": 33554432}}"#).unwrap();
    let s = spec(&env, &["--config", json.to_str().unwrap()]);
    assert_eq!(memory(&s), 32 << 20);
}

#[test]
fn test_builtin_orchestrator_labels_explained_as_json() {
    let env = env_with(&[(
        "10-labels.toml",
        "builtin = \"orchestrator-labels\"\n[options]\nprefix = \"org.example\"\n",
    )]);
    let img = busybox_dir().display().to_string();
    let out = env.run(&[
        "spec",
        "--explain=json",
        "-e",
        "MESOS_CONTAINER_NAME=mesos-42",
        &img,
    ]);
    let v = json_stdout(&out);
    let args: Vec<&str> = v["modules"][0]["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["arg"].as_str().unwrap())
        .collect();
    assert_eq!(
        args,
        [
            "--label=org.example.orchestrator=mesos",
            "--label=org.example.entry=cli",
            "--label=org.example.mesos.container=mesos-42"
        ]
    );
    assert_eq!(v["modules"][0]["module"], "10-labels");
    assert_eq!(v["modules"][0]["args"][0]["result"], "applied");
}

#[test]
fn test_explain_reports_ignored_arguments() {
    let env = env_with(&[("10-mem.toml", "args = [\"--memory=256m\"]\n")]);
    let text = explain(&env, &["-m", "1g"]);
    let line = text
        .lines()
        .find(|l| l.contains("10-mem") && l.contains("--memory"))
        .unwrap();
    assert!(
        line.contains("ignored: the user's --memory=1g wins"),
        "{text}"
    );
    assert!(text.starts_with("PRIORITY"), "{text}");
}

#[test]
fn test_bad_module_file_is_one_line_with_file_and_line() {
    let cases = [
        (
            "args = [\n  \"-m\", \"1g\",\n  \"--memroy=2g\",\n]\n",
            3,
            "unexpected argument '--memroy'",
        ),
        (
            "priority = 1\nargs = [\"--pids-limit=1\"]\nwhen = 2\n",
            3,
            "unknown field `when`",
        ),
        (
            "args = []\n[match]\nflag-present = [\"nope\"]\n",
            3,
            "match.flag-present: unknown flag \"nope\"",
        ),
        (
            "builtin = \"default-memory\"\n",
            1,
            "options.memory: required",
        ),
    ];
    for (text, line, message) in cases {
        let env = env_with(&[("10-ok.toml", "args = []\n"), ("20-bad.toml", text)]);
        let img = busybox_dir().display().to_string();
        for args in [vec!["spec", img.as_str()], vec!["create", img.as_str()]] {
            let out = env.run(&args);
            assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
            let stderr = String::from_utf8_lossy(&out.stderr);
            let path = env.config_dir().join("modules.d/20-bad.toml");
            let prefix = format!("vassalrun: {}:{line}: ", path.display());
            assert!(stderr.starts_with(&prefix), "{text:?}: {stderr}");
            assert!(stderr.contains(message), "{text:?}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(out.stdout.is_empty(), "{}", describe(&out));
            assert!(env.container_ids().is_empty(), "a container was created");
        }
    }
}
