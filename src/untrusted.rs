//! Text that came from untrusted input (tar headers, JSON documents, vassal
//! files, names read from disk) on its way into a message.
//!
//! A crafted tar header or JSON string can carry ESC, CR, BEL or other
//! control characters; echoed raw, they would drive the reader's terminal
//! (clear the screen, rewrite the line shown, ring the bell) or forge log
//! lines. Every message vassalrun prints goes through [`escape_controls`] at
//! the place it is printed, so no error path can forget it.

use std::borrow::Cow;
use std::fmt::Write;

/// `text` with every control character (C0, DEL, C1) written as an escape:
/// `\n`, `\r`, `\t`, or `\x1b` / `\u{9b}`. Other characters, non-ASCII
/// included, are kept; text without control characters is not copied.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() && (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_escape_controls() {
        assert!(matches!(escape_controls("plain é"), Cow::Borrowed(_)));
        assert_eq!(
            escape_controls("a\x1b[2J\rb\x07\n\t\u{9b}\u{7f}é"),
            "a\\x1b[2J\\rb\\x07\\n\\t\\u{9b}\\x7fé"
        );
    }
}
