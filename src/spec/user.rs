//! Resolving `--user name|uid[:group|gid]` and `--group-add` against the image's
//! `/etc/passwd` and `/etc/group`, as Docker does (`moby/sys/user` `GetExecUser`).
//!
//! The files' contents are handed in as text, so resolution is pure and testable;
//! a missing file is an empty database (numeric ids still work).

use thiserror::Error;

/// Largest uid/gid Docker accepts.
const MAX_ID: i64 = 2_147_483_647;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum UserError {
    #[error("unable to find user {0}: no matching entries in passwd file")]
    NoUser(String),
    #[error("unable to find group {0}: no matching entries in group file")]
    NoGroup(String),
    #[error("Unable to find group {0}: no matching entries in group file")]
    NoAdditionalGroup(String),
    #[error("{0}: uids and gids must be in range 0-{MAX_ID}")]
    Range(String),
}

/// One line of `/etc/passwd`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswdEntry {
    pub name: String,
    pub uid: i64,
    pub gid: i64,
    pub home: String,
}

/// One line of `/etc/group`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupEntry {
    pub name: String,
    pub gid: i64,
    pub members: Vec<String>,
}

/// The image's user database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserDb {
    pub passwd: Vec<PasswdEntry>,
    pub groups: Vec<GroupEntry>,
}

/// The identity the container process runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedUser {
    pub uid: u32,
    pub gid: u32,
    /// Primary gid first, then supplementary groups, then `--group-add`.
    pub additional_gids: Vec<u32>,
    /// Home directory from passwd, `None` without an entry.
    pub home: Option<String>,
}

impl UserDb {
    /// Parses the texts of `/etc/passwd` and `/etc/group` (either may be empty).
    pub fn parse(passwd: &str, group: &str) -> UserDb {
        UserDb {
            passwd: records(passwd).map(passwd_entry).collect(),
            groups: records(group).map(group_entry).collect(),
        }
    }
}

/// Non-empty, non-comment lines split on `:`.
fn records(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split(':').collect())
}

fn field<'a>(fields: &[&'a str], index: usize) -> &'a str {
    fields.get(index).copied().unwrap_or_default()
}

/// Numeric fields that do not parse count as 0, as in `moby/sys/user`.
fn id_field(fields: &[&str], index: usize) -> i64 {
    field(fields, index).parse().unwrap_or(0)
}

fn passwd_entry(f: Vec<&str>) -> PasswdEntry {
    PasswdEntry {
        name: field(&f, 0).to_string(),
        uid: id_field(&f, 2),
        gid: id_field(&f, 3),
        home: field(&f, 5).to_string(),
    }
}

fn group_entry(f: Vec<&str>) -> GroupEntry {
    let members = field(&f, 3)
        .split(',')
        .filter(|m| !m.is_empty())
        .map(str::to_string)
        .collect();
    GroupEntry {
        name: field(&f, 0).to_string(),
        gid: id_field(&f, 2),
        members,
    }
}

fn checked_id(text: &str, id: i64) -> Result<u32, UserError> {
    if (0..=MAX_ID).contains(&id) {
        Ok(id as u32)
    } else {
        Err(UserError::Range(text.to_string()))
    }
}

/// Resolves a `--user` value and the `--group-add` list.
pub fn resolve_user(
    spec: &str,
    group_add: &[String],
    db: &UserDb,
) -> Result<ResolvedUser, UserError> {
    let (user_arg, group_arg) = spec.split_once(':').unwrap_or((spec, ""));
    let group_arg = group_arg.split(':').next().unwrap_or_default();
    let numeric_uid = user_arg.parse::<i64>().ok();

    let entry = db.passwd.iter().find(|u| match (user_arg, numeric_uid) {
        ("", _) => u.uid == 0,
        (_, Some(uid)) => u.uid == uid,
        (name, None) => u.name == name,
    });
    let (uid, mut gid, home) = match (entry, numeric_uid) {
        (Some(u), _) => (
            checked_id(user_arg, u.uid)?,
            checked_id(user_arg, u.gid)?,
            Some(u.home.clone()),
        ),
        (None, _) if user_arg.is_empty() => (0, 0, None),
        (None, Some(uid)) => (checked_id(user_arg, uid)?, 0, None),
        (None, None) => return Err(UserError::NoUser(user_arg.to_string())),
    };

    let mut supplementary = Vec::new();
    if !group_arg.is_empty() {
        gid = explicit_group(group_arg, db)?;
    } else if let Some(user) = entry {
        supplementary = db
            .groups
            .iter()
            .filter(|g| g.members.contains(&user.name))
            .map(|g| checked_id(&g.name, g.gid))
            .collect::<Result<_, _>>()?;
    }

    let mut additional_gids = vec![gid];
    additional_gids.extend(supplementary);
    additional_gids.extend(additional_groups(group_add, db)?);
    Ok(ResolvedUser {
        uid,
        gid,
        additional_gids,
        home,
    })
}

fn explicit_group(group_arg: &str, db: &UserDb) -> Result<u32, UserError> {
    let numeric = group_arg.parse::<i64>().ok();
    let found = db.groups.iter().find(|g| match numeric {
        Some(gid) => g.gid == gid,
        None => g.name == group_arg,
    });
    match (found, numeric) {
        (Some(g), _) => checked_id(group_arg, g.gid),
        (None, Some(gid)) => checked_id(group_arg, gid),
        (None, None) => Err(UserError::NoGroup(group_arg.to_string())),
    }
}

/// `--group-add` names or numbers, de-duplicated in the order given.
fn additional_groups(group_add: &[String], db: &UserDb) -> Result<Vec<u32>, UserError> {
    let mut gids: Vec<u32> = Vec::new();
    for wanted in group_add {
        let found = db
            .groups
            .iter()
            .find(|g| g.name == *wanted || g.gid.to_string() == *wanted);
        let gid = match found {
            Some(g) => checked_id(wanted, g.gid)?,
            None => {
                let gid = wanted
                    .parse::<i64>()
                    .map_err(|_| UserError::NoAdditionalGroup(wanted.clone()))?;
                checked_id(wanted, gid)?
            }
        };
        if !gids.contains(&gid) {
            gids.push(gid);
        }
    }
    Ok(gids)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\n\
        daemon:x:1:1:daemon:/usr/sbin:/bin/false\n\
        app:x:1000:1000:App:/home/app:/bin/sh\n\
        # comment\n\
        \n\
        dup:x:1000:5:dup:/dup:/bin/sh\n";
    const GROUP: &str =
        "root:x:0:root\nbin:x:1:root,daemon\nwheel:x:10:root,app\napp:x:1000:\naudio:x:29:app\n";

    fn db() -> UserDb {
        UserDb::parse(PASSWD, GROUP)
    }

    fn resolve(spec: &str, add: &[&str]) -> Result<ResolvedUser, UserError> {
        let add: Vec<String> = add.iter().map(|s| s.to_string()).collect();
        resolve_user(spec, &add, &db())
    }

    #[test]
    fn test_resolve_user_default_is_root_with_groups() {
        let u = resolve("", &[]).unwrap();
        assert_eq!((u.uid, u.gid), (0, 0));
        assert_eq!(u.additional_gids, [0, 0, 1, 10]);
        assert_eq!(u.home.as_deref(), Some("/root"));
    }

    #[test]
    fn test_resolve_user_by_name() {
        let u = resolve("app", &[]).unwrap();
        assert_eq!((u.uid, u.gid), (1000, 1000));
        assert_eq!(u.additional_gids, [1000, 10, 29]);
        assert_eq!(u.home.as_deref(), Some("/home/app"));
    }

    #[test]
    fn test_resolve_user_numeric_first_match_wins() {
        let u = resolve("1000", &[]).unwrap();
        assert_eq!(u.gid, 1000);
        assert_eq!(u.home.as_deref(), Some("/home/app"));
    }

    #[test]
    fn test_resolve_user_numeric_without_entry() {
        let u = resolve("4242", &[]).unwrap();
        assert_eq!((u.uid, u.gid, u.home), (4242, 0, None));
        assert_eq!(u.additional_gids, [0]);
    }

    #[test]
    fn test_resolve_user_explicit_group_drops_supplementary() {
        let u = resolve("app:audio", &[]).unwrap();
        assert_eq!((u.uid, u.gid), (1000, 29));
        assert_eq!(u.additional_gids, [29]);
        let u = resolve("app:77", &[]).unwrap();
        assert_eq!(u.gid, 77);
        let u = resolve("5:6", &[]).unwrap();
        assert_eq!((u.uid, u.gid), (5, 6));
    }

    #[test]
    fn test_resolve_user_group_add() {
        let u = resolve("app", &["audio", "bin", "999", "1"]).unwrap();
        assert_eq!(u.additional_gids, [1000, 10, 29, 29, 1, 999]);
    }

    #[test]
    fn test_resolve_user_errors() {
        let err = |spec: &str, add: &[&str]| resolve(spec, add).unwrap_err().to_string();
        assert_eq!(
            err("nobody", &[]),
            "unable to find user nobody: no matching entries in passwd file"
        );
        assert_eq!(
            err("app:nogroup", &[]),
            "unable to find group nogroup: no matching entries in group file"
        );
        assert_eq!(
            err("root", &["video"]),
            "Unable to find group video: no matching entries in group file"
        );
        assert_eq!(
            err("-5", &[]),
            "-5: uids and gids must be in range 0-2147483647"
        );
        assert_eq!(
            err("root", &["4294967296"]),
            "4294967296: uids and gids must be in range 0-2147483647"
        );
    }

    #[test]
    fn test_resolve_user_without_files_is_numeric_only() {
        let empty = UserDb::default();
        let u = resolve_user("33:44", &[], &empty).unwrap();
        assert_eq!(
            (u.uid, u.gid, u.additional_gids.clone()),
            (33, 44, vec![44])
        );
        assert!(resolve_user("www-data", &[], &empty).is_err());
    }
}
