//! Docker's `json-file` log format: one JSON object per message,
//! `{"log":"hi\n","stream":"stdout","time":"2024-05-01T10:00:00.12345Z"}`.
//! Output is split at newlines; a line longer than 16 KiB, or the rest at the
//! end of the stream, is written as a partial message without its newline.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Docker's copier buffer: longer lines are split into partial messages.
pub const MAX_LINE: usize = 16 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    Stdout,
    Stderr,
}

/// One message of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub log: String,
    pub stream: Stream,
    pub time: String,
}

/// Appends messages to a container's log, assembling lines per stream, and
/// rotates it (`name` → `name.1` → ... → `name.<max_file-1>`) past `max_size`.
pub struct JsonFileWriter {
    path: PathBuf,
    file: File,
    size: u64,
    /// 0: never rotate.
    max_size: u64,
    max_file: u32,
    pending: [Vec<u8>; 2],
}

fn slot(stream: Stream) -> usize {
    match stream {
        Stream::Stdout => 0,
        Stream::Stderr => 1,
    }
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o640)
        .custom_flags(nix::libc::O_CLOEXEC)
        .open(path)
}

/// `name`, `name.1`, ...: the files of a rotated log, newest first.
pub fn rotated_path(path: &Path, n: u32) -> PathBuf {
    if n == 0 {
        path.to_path_buf()
    } else {
        PathBuf::from(format!("{}.{n}", path.display()))
    }
}

impl JsonFileWriter {
    /// A writer that never rotates.
    pub fn open(path: &Path) -> io::Result<JsonFileWriter> {
        JsonFileWriter::open_rotating(path, 0, 1)
    }

    pub fn open_rotating(path: &Path, max_size: u64, max_file: u32) -> io::Result<JsonFileWriter> {
        let file = open_append(path)?;
        let size = file.metadata()?.len();
        Ok(JsonFileWriter {
            path: path.to_path_buf(),
            file,
            size,
            max_size,
            max_file: max_file.max(1),
            pending: [Vec::new(), Vec::new()],
        })
    }

    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.max_size > 0 && self.size > 0 && self.size + bytes.len() as u64 > self.max_size {
            self.rotate()?;
        }
        self.file.write_all(bytes)?;
        self.size += bytes.len() as u64;
        Ok(())
    }

    /// Shifts `name.i` to `name.i+1`, dropping the oldest; with one file, truncates.
    fn rotate(&mut self) -> io::Result<()> {
        for n in (1..self.max_file).rev() {
            let from = rotated_path(&self.path, n - 1);
            if from.exists() {
                std::fs::rename(&from, rotated_path(&self.path, n))?;
            }
        }
        if self.max_file == 1 {
            std::fs::remove_file(&self.path)?;
        }
        self.file = open_append(&self.path)?;
        self.size = 0;
        Ok(())
    }

    /// Adds output read from `stream`; complete lines are written at once, one
    /// message at a time so rotation keeps every file under `max_size`.
    pub fn write(&mut self, stream: Stream, data: &[u8]) -> io::Result<()> {
        let time = now();
        let mut messages: Vec<Vec<u8>> = Vec::new();
        let pending = &mut self.pending[slot(stream)];
        pending.extend_from_slice(data);
        while let Some(end) = pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            messages.extend(
                line.chunks(MAX_LINE)
                    .map(|chunk| encode(chunk, stream, &time)),
            );
        }
        while pending.len() >= MAX_LINE {
            let chunk: Vec<u8> = pending.drain(..MAX_LINE).collect();
            messages.push(encode(&chunk, stream, &time));
        }
        for message in messages {
            self.append(&message)?;
        }
        Ok(())
    }

    /// Writes what is left of unfinished lines (at the end of the container).
    pub fn flush_partial(&mut self) -> io::Result<()> {
        let time = now();
        for stream in [Stream::Stdout, Stream::Stderr] {
            let rest = std::mem::take(&mut self.pending[slot(stream)]);
            if !rest.is_empty() {
                self.append(&encode(&rest, stream, &time))?;
            }
        }
        self.file.sync_data()
    }
}

/// RFC 3339 with nanoseconds, trailing zeros trimmed, UTC (Go's RFC3339Nano).
fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// One JSON line; invalid UTF-8 becomes U+FFFD as in Docker.
pub fn encode(log: &[u8], stream: Stream, time: &str) -> Vec<u8> {
    let entry = Entry {
        log: String::from_utf8_lossy(log).into_owned(),
        stream,
        time: time.to_string(),
    };
    let mut line = serde_json::to_vec(&entry).unwrap_or_default();
    line.push(b'\n');
    line
}

/// Every message of a rotated log (all its files), oldest first.
pub fn read_all_entries(path: &Path) -> io::Result<Vec<Entry>> {
    let mut files: Vec<PathBuf> = (1..)
        .map(|n| rotated_path(path, n))
        .take_while(|p| p.exists())
        .collect();
    files.reverse();
    files.push(path.to_path_buf());
    let mut entries = Vec::new();
    for file in files {
        entries.extend(read_entries(&file)?);
    }
    Ok(entries)
}

/// Every message of a log file, oldest first; unreadable lines are skipped.
pub fn read_entries(path: &Path) -> io::Result<Vec<Entry>> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    Ok(BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str(&l).ok())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_writer_splits_lines_and_keeps_streams_apart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c-json.log");
        let mut w = JsonFileWriter::open(&path).unwrap();
        w.write(Stream::Stdout, b"one\ntw").unwrap();
        w.write(Stream::Stderr, b"err\n").unwrap();
        w.write(Stream::Stdout, b"o\nrest").unwrap();
        w.flush_partial().unwrap();
        let got: Vec<(String, Stream)> = read_entries(&path)
            .unwrap()
            .into_iter()
            .map(|e| (e.log, e.stream))
            .collect();
        assert_eq!(
            got,
            [
                ("one\n".to_string(), Stream::Stdout),
                ("err\n".to_string(), Stream::Stderr),
                ("two\n".to_string(), Stream::Stdout),
                ("rest".to_string(), Stream::Stdout),
            ]
        );
    }

    #[test]
    fn test_writer_splits_long_lines_into_partials() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c-json.log");
        let mut w = JsonFileWriter::open(&path).unwrap();
        let mut long = vec![b'x'; MAX_LINE + 10];
        long.push(b'\n');
        w.write(Stream::Stdout, &long).unwrap();
        let entries = read_entries(&path).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].log.len(), MAX_LINE);
        assert_eq!(entries[1].log, format!("{}\n", "x".repeat(10)));
    }

    #[test]
    fn test_writer_rotates_and_reader_joins_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c-json.log");
        let mut w = JsonFileWriter::open_rotating(&path, 200, 3).unwrap();
        for i in 0..20 {
            w.write(Stream::Stdout, format!("line {i}\n").as_bytes())
                .unwrap();
        }
        assert!(rotated_path(&path, 1).exists() && rotated_path(&path, 2).exists());
        assert!(!rotated_path(&path, 3).exists(), "at most max-file files");
        for n in 0..3 {
            assert!(std::fs::metadata(rotated_path(&path, n)).unwrap().len() <= 200);
        }
        let logs: Vec<String> = read_all_entries(&path)
            .unwrap()
            .into_iter()
            .map(|e| e.log)
            .collect();
        assert_eq!(logs.last().unwrap(), "line 19\n");
        let first: usize = logs[0].trim_start_matches("line ").trim().parse().unwrap();
        assert_eq!(
            logs,
            (first..20)
                .map(|i| format!("line {i}\n"))
                .collect::<Vec<_>>(),
            "contiguous, oldest first"
        );
    }

    #[test]
    fn test_encode_format() {
        let line = String::from_utf8(encode(
            b"hi \"x\"\n\xff",
            Stream::Stderr,
            "2024-05-01T10:00:00.12345Z",
        ))
        .unwrap();
        assert_eq!(line, "{\"log\":\"hi \\\"x\\\"\\n\u{fffd}\",\"stream\":\"stderr\",\"time\":\"2024-05-01T10:00:00.12345Z\"}\n");
    }
}
