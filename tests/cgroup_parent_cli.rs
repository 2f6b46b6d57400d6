//! The cgroup parent vassalrun creates for its containers (the default
//! `vassalrun`, here each test's own) is removed with the last container under
//! it, in every hierarchy; a parent that existed before is left alone; and
//! concurrent creates and removals never lose a parent a container needs.

mod common;

use std::path::PathBuf;

use common::{busybox_dir, can_run_containers, describe, TestEnv};

fn img() -> String {
    busybox_dir().display().to_string()
}

fn detached(env: &TestEnv) -> String {
    let out = env.run(&["run", "-d", "--network", "none", &img(), "sleep", "60"]);
    assert!(out.status.success(), "{}", describe(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn test_parent_made_by_vassalrun_goes_with_the_last_container() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    assert!(env.cgroup_parent_dirs().is_empty(), "a fresh parent");
    let first = detached(&env);
    let second = detached(&env);
    assert!(!env.cgroup_parent_dirs().is_empty(), "the parent was made");

    let out = env.run(&["rm", "-f", &first]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        !env.cgroup_parent_dirs().is_empty(),
        "the parent stays while a container is under it"
    );
    let out = env.run(&["rm", "-f", &second]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(
        env.cgroup_parent_dirs(),
        Vec::<PathBuf>::new(),
        "rm of the last container removes the parent in every hierarchy"
    );

    // A container that removes itself (--rm) on exit: the same.
    let out = env.run(&["run", "--rm", "--network", "none", &img(), "true"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(env.cgroup_parent_dirs(), Vec::<PathBuf>::new());

    // An exited container keeps no cgroup, so neither does its parent; a
    // restart makes both again.
    let out = env.run(&[
        "run",
        "--network",
        "none",
        "--name",
        "again",
        &img(),
        "true",
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(env.cgroup_parent_dirs(), Vec::<PathBuf>::new());
    let out = env.run(&["start", "-a", "again"]);
    assert!(out.status.success(), "{}", describe(&out));
    let out = env.run(&["rm", "again"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(env.cgroup_parent_dirs(), Vec::<PathBuf>::new());
}

#[test]
fn test_parent_that_existed_before_stays() {
    if !can_run_containers() {
        return;
    }
    let env = TestEnv::new();
    // The hierarchy that holds the memory controller: v1's, or the unified one.
    let v1 = PathBuf::from("/sys/fs/cgroup/memory");
    let base = if v1.is_dir() {
        v1
    } else {
        PathBuf::from("/sys/fs/cgroup")
    };
    let made_by_admin = base.join(&env.cgroup_parent);
    std::fs::create_dir(&made_by_admin).unwrap();
    let id = detached(&env);
    let out = env.run(&["rm", "-f", &id]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        made_by_admin.is_dir(),
        "a parent vassalrun did not make stays"
    );
    assert!(
        std::fs::read_dir(&made_by_admin)
            .unwrap()
            .flatten()
            .all(|e| !e.path().is_dir()),
        "the container's cgroup is gone"
    );
    // TestEnv's drop removes the parent.
}

#[test]
fn test_concurrent_runs_never_lose_their_parent() {
    if !can_run_containers() {
        return;
    }
    let env = std::sync::Arc::new(TestEnv::new());
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let env = env.clone();
            std::thread::spawn(move || {
                (0..3)
                    .map(|_| {
                        env.run(&[
                            "run",
                            "--rm",
                            "--network",
                            "none",
                            "-m",
                            "32m",
                            &img(),
                            "sh",
                            "-c",
                            "test -d /sys/fs/cgroup",
                        ])
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for worker in workers {
        for out in worker.join().unwrap() {
            assert!(out.status.success(), "{}", describe(&out));
        }
    }
    // A removal waits a bounded time for creates and other removals; the
    // last one always gets through, possibly after the last `run` returned.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !env.cgroup_parent_dirs().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(
        env.cgroup_parent_dirs(),
        Vec::<PathBuf>::new(),
        "the last removal took the parent"
    );
}
