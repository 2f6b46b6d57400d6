//! Detach keys (`--detach-keys`, default `ctrl-p,ctrl-q`): Docker's syntax, a
//! comma-separated list of single characters or `ctrl-<key>`, and a matcher
//! that holds back a possible prefix of the sequence until it is decided.

/// Docker's default.
pub const DEFAULT: &str = "ctrl-p,ctrl-q";

/// Parses `spec` into the byte sequence, naming the bad part on error.
pub fn parse(spec: &str) -> Result<Vec<u8>, String> {
    let invalid = |part: &str| format!("unknown key {part:?}");
    spec.split(',')
        .map(|part| {
            if let Some(key) = part.strip_prefix("ctrl-") {
                let [c] = key.as_bytes() else {
                    return Err(invalid(part));
                };
                match c.to_ascii_lowercase() {
                    c @ b'a'..=b'z' => Ok(c - b'a' + 1),
                    b'@' => Ok(0),
                    b'[' => Ok(27),
                    b'\\' => Ok(28),
                    b']' => Ok(29),
                    b'^' => Ok(30),
                    b'_' => Ok(31),
                    _ => Err(invalid(part)),
                }
            } else if let [c] = part.as_bytes() {
                Ok(*c)
            } else {
                Err(invalid(part))
            }
        })
        .collect()
}

/// Finds the detach sequence in a stream of input chunks.
pub struct Matcher {
    keys: Vec<u8>,
    held: Vec<u8>,
}

/// What to do with a chunk of input.
#[derive(Debug, PartialEq, Eq)]
pub enum Scan {
    /// Forward these bytes (possibly empty: a prefix is being held back).
    Forward(Vec<u8>),
    /// The sequence was typed: forward these bytes first, then detach.
    Detach(Vec<u8>),
}

impl Matcher {
    pub fn new(keys: Vec<u8>) -> Matcher {
        Matcher {
            keys,
            held: Vec::new(),
        }
    }

    pub fn scan(&mut self, input: &[u8]) -> Scan {
        let mut out = Vec::with_capacity(input.len());
        if self.keys.is_empty() {
            out.extend_from_slice(input);
            return Scan::Forward(out);
        }
        for &byte in input {
            self.held.push(byte);
            if self.keys.starts_with(&self.held) {
                if self.held.len() == self.keys.len() {
                    self.held.clear();
                    return Scan::Detach(out);
                }
                continue;
            }
            // Not the sequence: release the oldest held byte and retry the rest.
            while !self.held.is_empty() && !self.keys.starts_with(&self.held) {
                out.push(self.held.remove(0));
            }
        }
        Scan::Forward(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_parse_detach_keys() {
        assert_eq!(parse(DEFAULT).unwrap(), vec![16, 17]);
        assert_eq!(parse("a,ctrl-[").unwrap(), vec![b'a', 27]);
        assert_eq!(parse("ctrl-1").unwrap_err(), "unknown key \"ctrl-1\"");
        assert!(parse("ab").is_err());
        assert!(parse("").is_err());
    }

    #[test]
    fn test_matcher_detaches_across_chunks() {
        let mut m = Matcher::new(vec![16, 17]);
        assert_eq!(m.scan(b"ab\x10"), Scan::Forward(b"ab".to_vec()));
        assert_eq!(m.scan(b"\x11zz"), Scan::Detach(vec![]));
    }

    #[test]
    fn test_matcher_releases_false_prefix() {
        let mut m = Matcher::new(vec![16, 17]);
        assert_eq!(m.scan(b"\x10x"), Scan::Forward(b"\x10x".to_vec()));
        assert_eq!(m.scan(b"\x10\x10\x11"), Scan::Detach(vec![16]));
    }
}
