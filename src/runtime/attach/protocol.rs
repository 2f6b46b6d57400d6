//! The attach protocol, on a `SOCK_SEQPACKET` socket (so every message keeps
//! its boundaries): one message per packet, its first byte the kind.
//!
//! Monitor → client: `0` hello (the client is registered: nothing written by
//! the container from now on is missed), `1`+bytes stdout, `2`+bytes stderr
//! (with a terminal everything is stdout), `3`+code the container's exit code.
//! Client → monitor: `0`+bytes stdin, `1`+rows(u16 BE)+cols(u16 BE) window
//! size, `2` end of stdin.

/// The largest packet either side sends (kind byte included).
pub const MAX_PACKET: usize = 32 * 1024 + 1;

pub const HELLO: u8 = 0;
pub const STDOUT: u8 = 1;
pub const STDERR: u8 = 2;
pub const EXIT: u8 = 3;

pub const STDIN: u8 = 0;
pub const RESIZE: u8 = 1;
pub const CLOSE_STDIN: u8 = 2;

/// What a client asks of the monitor.
#[derive(Debug, PartialEq, Eq)]
pub enum Request<'a> {
    Stdin(&'a [u8]),
    Resize { rows: u16, cols: u16 },
    CloseStdin,
}

/// Decodes a client packet; `None` for one this monitor does not know.
pub fn decode_request(packet: &[u8]) -> Option<Request<'_>> {
    match packet.split_first()? {
        (&STDIN, data) => Some(Request::Stdin(data)),
        (&RESIZE, [r1, r2, c1, c2]) => Some(Request::Resize {
            rows: u16::from_be_bytes([*r1, *r2]),
            cols: u16::from_be_bytes([*c1, *c2]),
        }),
        (&CLOSE_STDIN, []) => Some(Request::CloseStdin),
        _ => None,
    }
}

pub fn encode_resize(rows: u16, cols: u16) -> [u8; 5] {
    let [r1, r2] = rows.to_be_bytes();
    let [c1, c2] = cols.to_be_bytes();
    [RESIZE, r1, r2, c1, c2]
}

/// A message from the monitor, as the client sees it.
#[derive(Debug, PartialEq, Eq)]
pub enum Event<'a> {
    Hello,
    Stdout(&'a [u8]),
    Stderr(&'a [u8]),
    Exit(u8),
}

pub fn decode_event(packet: &[u8]) -> Option<Event<'_>> {
    match packet.split_first()? {
        (&HELLO, []) => Some(Event::Hello),
        (&STDOUT, data) => Some(Event::Stdout(data)),
        (&STDERR, data) => Some(Event::Stderr(data)),
        (&EXIT, [code]) => Some(Event::Exit(*code)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_decode_request_kinds() {
        assert_eq!(decode_request(&[STDIN, b'a']), Some(Request::Stdin(b"a")));
        assert_eq!(
            decode_request(&encode_resize(40, 120)),
            Some(Request::Resize {
                rows: 40,
                cols: 120
            })
        );
        assert_eq!(decode_request(&[CLOSE_STDIN]), Some(Request::CloseStdin));
        assert_eq!(decode_request(&[RESIZE, 1]), None);
        assert_eq!(decode_request(&[9]), None);
        assert_eq!(decode_request(&[]), None);
    }

    #[test]
    fn test_decode_event_kinds() {
        assert_eq!(decode_event(&[HELLO]), Some(Event::Hello));
        assert_eq!(
            decode_event(&[STDERR, 0, 255]),
            Some(Event::Stderr(&[0, 255]))
        );
        assert_eq!(decode_event(&[EXIT, 137]), Some(Event::Exit(137)));
        assert_eq!(decode_event(&[EXIT]), None);
    }
}
