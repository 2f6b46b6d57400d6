//! `logs --since/--until` values, as Docker reads them: an RFC 3339 time
//! (`2024-05-01T10:00:00Z`, fractions and offsets allowed), a date
//! (`2024-05-01`, UTC), Unix seconds (`1714557600` or `1714557600.5`), or a
//! duration back from now (`10m`, `1h30m`, `45s`, `500ms`).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// Parses `value` relative to `now`; the error names why.
pub fn parse_time(value: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    if let Ok(time) = DateTime::parse_from_rfc3339(value) {
        return Ok(time.with_timezone(&Utc));
    }
    if let Ok(date) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        return Ok(Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0).unwrap_or_default()));
    }
    if let Ok(seconds) = value.parse::<f64>() {
        if seconds.is_finite() && seconds >= 0.0 {
            let nanos = (seconds.fract() * 1e9) as u32;
            if let Some(time) = DateTime::from_timestamp(seconds.trunc() as i64, nanos) {
                return Ok(time);
            }
        }
    }
    let back = parse_duration(value).ok_or_else(|| {
        "expected an RFC 3339 time, a date, Unix seconds or a duration such as 10m".to_string()
    })?;
    Ok(now - back)
}

/// A Go-style duration: one or more `<number><unit>` with units ns us ms s m h.
fn parse_duration(value: &str) -> Option<chrono::Duration> {
    let mut rest = value;
    let mut total = 0f64;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .filter(|&n| n > 0)?;
        let number: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += number * scale;
        rest = &rest[unit_len..];
    }
    chrono::Duration::try_milliseconds((total * 1000.0) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_parse_time_forms() {
        let now = DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
            .unwrap()
            .with_timezone(&Utc);
        let at = |v: &str| parse_time(v, now).map(|t| t.to_rfc3339());
        assert_eq!(
            at("2026-01-01T00:00:00.5+01:00").unwrap(),
            "2025-12-31T23:00:00.500+00:00"
        );
        assert_eq!(at("2025-12-31").unwrap(), "2025-12-31T00:00:00+00:00");
        assert_eq!(at("1767225600").unwrap(), "2026-01-01T00:00:00+00:00");
        assert_eq!(at("1h30m").unwrap(), "2026-01-02T01:34:05+00:00");
        assert_eq!(at("90s").unwrap(), "2026-01-02T03:02:35+00:00");
        assert!(at("yesterday").is_err());
        assert!(at("10x").is_err());
        assert!(at("").is_err());
    }
}
