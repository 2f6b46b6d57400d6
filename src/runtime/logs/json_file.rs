//! Docker's `json-file` log format: one JSON object per message,
//! `{"log":"hi\n","stream":"stdout","time":"2024-05-01T10:00:00.12345Z"}`.
//! Output is split at newlines; a line longer than 16 KiB, or the rest at the
//! end of the stream, is written as a partial message without its newline.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

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

/// Appends messages to a container's log, assembling lines per stream.
pub struct JsonFileWriter {
    file: File,
    pending: [Vec<u8>; 2],
}

fn slot(stream: Stream) -> usize {
    match stream {
        Stream::Stdout => 0,
        Stream::Stderr => 1,
    }
}

impl JsonFileWriter {
    pub fn open(path: &Path) -> io::Result<JsonFileWriter> {
        let file = OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o640)
            .custom_flags(nix::libc::O_CLOEXEC)
            .open(path)?;
        Ok(JsonFileWriter {
            file,
            pending: [Vec::new(), Vec::new()],
        })
    }

    /// Adds output read from `stream`; complete lines are written at once.
    pub fn write(&mut self, stream: Stream, data: &[u8]) -> io::Result<()> {
        let time = now();
        let mut out = Vec::new();
        let pending = &mut self.pending[slot(stream)];
        pending.extend_from_slice(data);
        while let Some(end) = pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            for chunk in line.chunks(MAX_LINE) {
                out.extend(encode(chunk, stream, &time));
            }
        }
        while pending.len() >= MAX_LINE {
            let chunk: Vec<u8> = pending.drain(..MAX_LINE).collect();
            out.extend(encode(&chunk, stream, &time));
        }
        self.file.write_all(&out)
    }

    /// Writes what is left of unfinished lines (at the end of the container).
    pub fn flush_partial(&mut self) -> io::Result<()> {
        let time = now();
        for stream in [Stream::Stdout, Stream::Stderr] {
            let rest = std::mem::take(&mut self.pending[slot(stream)]);
            if !rest.is_empty() {
                self.file.write_all(&encode(&rest, stream, &time))?;
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
