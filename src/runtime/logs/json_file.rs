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
    /// Encoded messages not yet written.
    batch: Vec<u8>,
    /// Whether the end of the container's output is fdatasync'd.
    durable: bool,
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
    /// Where and how this writer writes (for the monitor's relay image).
    pub fn target(&self) -> crate::runtime::lifecycle::relay_process::LogTarget {
        crate::runtime::lifecycle::relay_process::LogTarget {
            path: self.path.clone(),
            max_size: self.max_size,
            max_file: self.max_file,
        }
    }

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
            batch: Vec::new(),
            durable: true,
        })
    }

    /// For a log deleted with its container (`--rm`) a moment after the
    /// container ends: no `fdatasync` then, on the way to the exit code.
    pub fn volatile(mut self) -> JsonFileWriter {
        self.durable = false;
        self
    }

    /// Adds one encoded message to the batch, writing out the batch and
    /// rotating first when the message would take the file past `max_size`.
    fn append(&mut self, log: &[u8], stream: Stream, time: &str) -> io::Result<()> {
        let mark = self.batch.len();
        encode_into(&mut self.batch, log, stream, time);
        let message = (self.batch.len() - mark) as u64;
        let before = self.size + mark as u64;
        if self.max_size > 0 && before > 0 && before + message > self.max_size {
            let encoded = self.batch.split_off(mark);
            self.write_batch()?;
            self.rotate()?;
            self.batch = encoded;
        }
        Ok(())
    }

    fn write_batch(&mut self) -> io::Result<()> {
        self.file.write_all(&self.batch)?;
        self.size += self.batch.len() as u64;
        self.batch.clear();
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

    /// Adds output read from `stream`: complete lines (split at 16 KiB) are
    /// encoded into one batch and written with one call, rotating between
    /// messages so every file stays under `max_size`.
    pub fn write(&mut self, stream: Stream, data: &[u8]) -> io::Result<()> {
        let time = now();
        let mut pending = std::mem::take(&mut self.pending[slot(stream)]);
        pending.extend_from_slice(data);
        let mut start = 0;
        while let Some(end) = pending[start..].iter().position(|b| *b == b'\n') {
            for chunk in pending[start..=start + end].chunks(MAX_LINE) {
                self.append(chunk, stream, &time)?;
            }
            start += end + 1;
        }
        while pending.len() - start >= MAX_LINE {
            self.append(&pending[start..start + MAX_LINE], stream, &time)?;
            start += MAX_LINE;
        }
        pending.drain(..start);
        self.pending[slot(stream)] = pending;
        self.write_batch()
    }

    /// Writes what is left of unfinished lines (at the end of the container).
    pub fn flush_partial(&mut self) -> io::Result<()> {
        let time = now();
        for stream in [Stream::Stdout, Stream::Stderr] {
            let rest = std::mem::take(&mut self.pending[slot(stream)]);
            if !rest.is_empty() {
                self.append(&rest, stream, &time)?;
            }
        }
        self.write_batch()?;
        if self.durable {
            self.file.sync_data()?;
        }
        Ok(())
    }
}

/// RFC 3339 with nanoseconds, trailing zeros trimmed, UTC (Go's RFC3339Nano).
fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// One JSON line, as Docker's `jsonlog` writes it: fields `log`, `stream`,
/// `time` in that order; invalid UTF-8 becomes U+FFFD.
pub fn encode(log: &[u8], stream: Stream, time: &str) -> Vec<u8> {
    let mut line = Vec::with_capacity(log.len() + 64);
    encode_into(&mut line, log, stream, time);
    line
}

/// [`encode`] appending to `out` (the monitor reuses one buffer).
pub fn encode_into(out: &mut Vec<u8>, log: &[u8], stream: Stream, time: &str) {
    out.extend_from_slice(b"{\"log\":\"");
    escape_into(out, &String::from_utf8_lossy(log));
    out.extend_from_slice(match stream {
        Stream::Stdout => b"\",\"stream\":\"stdout\",\"time\":\"",
        Stream::Stderr => b"\",\"stream\":\"stderr\",\"time\":\"",
    });
    out.extend_from_slice(time.as_bytes());
    out.extend_from_slice(b"\"}\n");
}

/// Go's `encoding/json` string escaping (what Docker's logs contain): `\"`,
/// `\\`, `\n`, `\r`, `\t`, other control characters and `<`, `>`, `&`,
/// U+2028, U+2029 as `\uXXXX`; everything else as is.
fn escape_into(out: &mut Vec<u8>, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short: Option<&[u8]> = match b {
            b'"' => Some(b"\\\""),
            b'\\' => Some(b"\\\\"),
            b'\n' => Some(b"\\n"),
            b'\r' => Some(b"\\r"),
            b'\t' => Some(b"\\t"),
            _ => None,
        };
        let unicode = match b {
            0..=0x1f | b'<' | b'>' | b'&' if short.is_none() => Some(u32::from(b)),
            // U+2028 and U+2029 are E2 80 A8 / E2 80 A9.
            0xe2 if bytes.get(i + 1) == Some(&0x80)
                && matches!(bytes.get(i + 2), Some(0xa8 | 0xa9)) =>
            {
                Some(0x2000 | u32::from(bytes[i + 2] - 0xa8 + 0x28))
            }
            _ => None,
        };
        if short.is_none() && unicode.is_none() {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        if let Some(short) = short {
            out.extend_from_slice(short);
            start = i + 1;
        } else if let Some(code) = unicode {
            out.extend_from_slice(b"\\u");
            for shift in [12, 8, 4, 0] {
                out.push(HEX[((code >> shift) & 0xf) as usize]);
            }
            start = if code >= 0x2000 { i + 3 } else { i + 1 };
        }
    }
    out.extend_from_slice(&bytes[start..]);
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
        let line = String::from_utf8(encode(
            "a<b>&\t\u{1}\\ \u{2028}é".as_bytes(),
            Stream::Stdout,
            "T",
        ))
        .unwrap();
        assert_eq!(
            line,
            "{\"log\":\"a\\u003cb\\u003e\\u0026\\t\\u0001\\\\ \\u2028é\",\"stream\":\"stdout\",\"time\":\"T\"}\n"
        );
        let parsed: Entry = serde_json::from_str(&line).unwrap();
        assert_eq!(parsed.log, "a<b>&\t\u{1}\\ \u{2028}é");
    }
}
