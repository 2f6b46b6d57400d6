//! Docker's size units (`512m`, `1g`, `1.5GB`, `100k`, raw bytes), as go-units `RAMInBytes`.
//!
//! Suffixes are binary (k = 1024) whatever their spelling, as in Docker: `1g`, `1gb`,
//! `1GiB` are all 1073741824. A space may separate number and suffix.

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum SizeError {
    #[error("invalid size: '{0}'")]
    Invalid(String),
    #[error("invalid suffix: '{0}'")]
    Suffix(String),
    #[error("size too large: '{0}'")]
    TooLarge(String),
}

/// Parses a size in bytes with an optional binary unit suffix.
pub fn parse_size(text: &str) -> Result<i64, SizeError> {
    let invalid = || SizeError::Invalid(text.to_string());
    let sep = text.rfind(|c: char| c.is_ascii_digit() || c == '.' || c == ' ');
    let Some(sep) = sep else {
        return Err(invalid());
    };
    let (number, suffix) = if text.as_bytes()[sep] == b' ' {
        (&text[..sep], &text[sep + 1..])
    } else {
        (&text[..=sep], &text[sep + 1..])
    };
    // Go's ParseFloat accepts only plain decimal numbers here; reject "inf", "nan", "1e3".
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(invalid());
    }
    let value: f64 = number.parse().map_err(|_| invalid())?;
    let multiplier = suffix_multiplier(suffix)?;
    let bytes = value * multiplier as f64;
    if bytes >= i64::MAX as f64 {
        return Err(SizeError::TooLarge(text.to_string()));
    }
    Ok(bytes as i64)
}

/// Like [`parse_size`] but `-1` means "unlimited" (`--memory-swap -1`).
pub fn parse_size_or_unlimited(text: &str) -> Result<i64, SizeError> {
    if text == "-1" {
        return Ok(-1);
    }
    parse_size(text)
}

fn suffix_multiplier(suffix: &str) -> Result<i64, SizeError> {
    let bad = || SizeError::Suffix(suffix.to_lowercase());
    if suffix.is_empty() {
        return Ok(1);
    }
    let lower = suffix.to_lowercase();
    if lower.len() > 3 {
        return Err(bad());
    }
    if lower == "b" {
        return Ok(1);
    }
    let mut chars = lower.chars();
    let exponent = match chars.next() {
        Some('k') => 1,
        Some('m') => 2,
        Some('g') => 3,
        Some('t') => 4,
        Some('p') => 5,
        _ => return Err(bad()),
    };
    match chars.as_str() {
        "" | "b" | "ib" => Ok(1024_i64.pow(exponent)),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_parse_size_units() {
        let cases = [
            ("0", 0),
            ("1024", 1024),
            ("512m", 512 << 20),
            ("512M", 512 << 20),
            ("1g", 1 << 30),
            ("1gb", 1 << 30),
            ("1GiB", 1 << 30),
            ("1.5GB", 3 << 29),
            ("100k", 100 << 10),
            ("64 MiB", 64 << 20),
            ("10b", 10),
            ("2t", 2 << 40),
            ("1p", 1 << 50),
        ];
        for (text, want) in cases {
            assert_eq!(parse_size(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn test_parse_size_rejects_bad_input() {
        assert_eq!(parse_size(""), Err(SizeError::Invalid(String::new())));
        assert_eq!(parse_size("m"), Err(SizeError::Invalid("m".into())));
        assert_eq!(parse_size("-1"), Err(SizeError::Invalid("-1".into())));
        assert_eq!(parse_size("1x"), Err(SizeError::Suffix("x".into())));
        assert_eq!(parse_size("1mbb"), Err(SizeError::Suffix("mbb".into())));
        assert_eq!(parse_size("1mx"), Err(SizeError::Suffix("mx".into())));
        assert_eq!(
            parse_size("1.2.3m"),
            Err(SizeError::Invalid("1.2.3m".into()))
        );
        assert_eq!(
            parse_size("99999999p"),
            Err(SizeError::TooLarge("99999999p".into()))
        );
        assert_eq!(parse_size("1e3"), Err(SizeError::Invalid("1e3".into())));
    }

    #[test]
    fn test_parse_size_or_unlimited_minus_one() {
        assert_eq!(parse_size_or_unlimited("-1"), Ok(-1));
        assert_eq!(parse_size_or_unlimited("1g"), Ok(1 << 30));
        assert!(parse_size_or_unlimited("-2").is_err());
    }
}
