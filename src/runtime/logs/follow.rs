//! Following a json-file log as it grows and rotates (`logs -f`): the file is
//! read through an open descriptor, so when the writer renames it to `.1`
//! the rest of it is still read before the follower moves to the new file.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::json_file::{read_entries, rotated_path, Entry};

pub struct Follower {
    path: PathBuf,
    current: Option<(File, u64)>,
    partial: Vec<u8>,
}

impl Follower {
    /// Opens the log at `path`; returns the follower and every message so far
    /// (rotated files first).
    pub fn open(path: &Path) -> io::Result<(Follower, Vec<Entry>)> {
        let mut rotated: Vec<PathBuf> = (1..)
            .map(|n| rotated_path(path, n))
            .take_while(|p| p.exists())
            .collect();
        rotated.reverse();
        let mut entries = Vec::new();
        for file in rotated {
            entries.extend(read_entries(&file)?);
        }
        let mut follower = Follower {
            path: path.to_path_buf(),
            current: None,
            partial: Vec::new(),
        };
        entries.extend(follower.next_entries()?);
        Ok((follower, entries))
    }

    /// The messages written since the last call.
    pub fn next_entries(&mut self) -> io::Result<Vec<Entry>> {
        let mut entries = self.read_current()?;
        let on_disk = std::fs::metadata(&self.path).ok().map(|m| m.ino());
        let moved = match (&self.current, on_disk) {
            (Some((_, ino)), Some(now)) => *ino != now,
            (None, Some(_)) => true,
            _ => false,
        };
        if moved {
            // What was appended to the old file after the read above.
            entries.extend(self.read_current()?);
            // The new file is opened first, then the files rotated between the
            // old one and it are read: a rotation in between cannot slip a
            // whole file past the follower.
            let next = match File::open(&self.path) {
                Ok(file) => {
                    let ino = file.metadata()?.ino();
                    Some((file, ino))
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => None,
                Err(e) => return Err(e),
            };
            let old = self.current.as_ref().map(|(_, ino)| *ino);
            entries.extend(read_rotated_between(
                &self.path,
                old,
                next.as_ref().map(|(_, ino)| *ino),
            )?);
            self.current = next;
            self.partial.clear();
            entries.extend(self.read_current()?);
        }
        Ok(entries)
    }

    fn read_current(&mut self) -> io::Result<Vec<Entry>> {
        let Some((file, _)) = &mut self.current else {
            return Ok(Vec::new());
        };
        file.read_to_end(&mut self.partial)?;
        let Some(end) = self.partial.iter().rposition(|b| *b == b'\n') else {
            return Ok(Vec::new());
        };
        let complete: Vec<u8> = self.partial.drain(..=end).collect();
        Ok(complete
            .split(|b| *b == b'\n')
            .filter_map(|line| serde_json::from_slice(line).ok())
            .collect())
    }
}

/// The messages of the rotated files newer than inode `old` and older than
/// inode `next` (either may be absent: gone, or not rotated yet), oldest
/// first. More than one rotation can happen between two reads.
fn read_rotated_between(
    path: &Path,
    old: Option<u64>,
    next: Option<u64>,
) -> io::Result<Vec<Entry>> {
    let Some(old) = old else {
        return Ok(Vec::new());
    };
    let rotated: Vec<PathBuf> = (1..)
        .map(|n| rotated_path(path, n))
        .take_while(|p| p.exists())
        .collect();
    let index_of = |ino: u64| {
        rotated
            .iter()
            .position(|p| std::fs::metadata(p).is_ok_and(|m| m.ino() == ino))
    };
    let older_end = index_of(old).unwrap_or(rotated.len());
    let newer_end = next.and_then(index_of).map_or(0, |i| i + 1);
    let mut entries = Vec::new();
    for file in rotated[newer_end.min(older_end)..older_end].iter().rev() {
        entries.extend(read_entries(file)?);
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::logs::json_file::{JsonFileWriter, Stream};

    #[test]
    fn test_read_rotated_between_takes_only_the_files_in_between() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c-json.log");
        let mut writer = JsonFileWriter::open_rotating(&path, 100, 9).unwrap();
        let ino = |p: &Path| std::fs::metadata(p).unwrap().ino();
        let mut inodes = Vec::new();
        for i in 0..6 {
            // One message per file: each write after the first rotates.
            writer
                .write(
                    Stream::Stdout,
                    format!("file {i} {}\n", "x".repeat(40)).as_bytes(),
                )
                .unwrap();
            inodes.push(ino(&path));
        }
        let logs = |old, next| -> Vec<String> {
            read_rotated_between(&path, Some(old), next)
                .unwrap()
                .into_iter()
                .map(|e| e.log[..6].to_string())
                .collect()
        };
        // Reading file 1, the writer is at file 5: files 2..=4 are in between.
        assert_eq!(logs(inodes[1], Some(inodes[4])), ["file 2", "file 3"]);
        // The new file not rotated yet (it is the current one): all newer ones.
        assert_eq!(logs(inodes[3], Some(inodes[5])), ["file 4"]);
        assert_eq!(logs(inodes[3], None), ["file 4"]);
    }

    #[test]
    fn test_follower_reads_across_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c-json.log");
        let mut writer = JsonFileWriter::open_rotating(&path, 200, 3).unwrap();
        writer.write(Stream::Stdout, b"first\n").unwrap();
        let (mut follower, initial) = Follower::open(&path).unwrap();
        assert_eq!(initial.len(), 1);
        let mut seen = Vec::new();
        for i in 0..20 {
            writer
                .write(Stream::Stdout, format!("line {i}\n").as_bytes())
                .unwrap();
            if i % 3 == 0 {
                seen.extend(follower.next_entries().unwrap());
            }
        }
        seen.extend(follower.next_entries().unwrap());
        let logs: Vec<String> = seen.into_iter().map(|e| e.log).collect();
        let expected: Vec<String> = (0..20).map(|i| format!("line {i}\n")).collect();
        assert_eq!(logs, expected);
        assert!(rotated_path(&path, 1).exists(), "the log rotated");
    }
}
