//! Once the container is built, the monitor only relays and waits: most of
//! the code it mapped (libcontainer, the spec builder, clap) will not run
//! again. Dropping those clean file-backed pages from its page tables (they
//! stay in the page cache, shared with every other monitor, and fault back
//! in if ever touched) and handing freed heap back to the kernel keeps an
//! idle monitor's resident set to what its loop uses.

/// A mapping of `/proc/self/smaps`.
#[derive(Debug, PartialEq)]
struct Mapping {
    start: usize,
    end: usize,
    writable: bool,
    file_backed: bool,
    anonymous_kb: u64,
    /// Private copies swapped out (not counted as `Anonymous`).
    swap_kb: u64,
}

/// Drops clean file-backed pages and trims the heap; best effort.
pub fn release_unused_memory() {
    // SAFETY: malloc_trim only returns free heap memory to the kernel.
    unsafe {
        nix::libc::malloc_trim(0);
    }
    let Ok(smaps) = std::fs::read_to_string("/proc/self/smaps") else {
        return;
    };
    let here = &smaps as *const String as usize;
    for mapping in parse(&smaps) {
        // The stack below the current frame was used by the build only.
        if mapping.start <= here && here < mapping.end {
            let unused_end = (here - 16 * 1024) & !0xfff;
            if unused_end > mapping.start {
                // SAFETY: nothing lives below the current frame (16 KiB of
                // slack for the calls still to come); those pages read as
                // zero if the stack grows there again, as fresh stack does.
                unsafe {
                    nix::libc::madvise(
                        mapping.start as *mut nix::libc::c_void,
                        unused_end - mapping.start,
                        nix::libc::MADV_DONTNEED,
                    );
                }
            }
            continue;
        }
        // Only read-only file mappings without private (copied) pages: what
        // DONTNEED drops there is exactly what a fault reads back.
        if mapping.file_backed
            && !mapping.writable
            && mapping.anonymous_kb == 0
            && mapping.swap_kb == 0
        {
            // SAFETY: the range is a whole mapping of ours whose pages all
            // equal the file's; discarding them changes no memory contents.
            unsafe {
                nix::libc::madvise(
                    mapping.start as *mut nix::libc::c_void,
                    mapping.end - mapping.start,
                    nix::libc::MADV_DONTNEED,
                );
            }
        }
    }
}

fn parse(smaps: &str) -> Vec<Mapping> {
    let mut mappings: Vec<Mapping> = Vec::new();
    for line in smaps.lines() {
        let mut fields = line.split_whitespace();
        let first = fields.next().unwrap_or_default();
        if let Some((start, end)) = first.split_once('-') {
            let (Ok(start), Ok(end)) = (
                usize::from_str_radix(start, 16),
                usize::from_str_radix(end, 16),
            ) else {
                continue;
            };
            let perms = fields.next().unwrap_or_default();
            let path = fields.nth(3).unwrap_or_default();
            mappings.push(Mapping {
                start,
                end,
                writable: perms.contains('w'),
                file_backed: path.starts_with('/'),
                anonymous_kb: 0,
                swap_kb: 0,
            });
        } else if first == "Anonymous:" || first == "Swap:" {
            if let (Some(last), Some(Ok(kb))) = (mappings.last_mut(), fields.next().map(str::parse))
            {
                if first == "Swap:" {
                    last.swap_kb = kb;
                } else {
                    last.anonymous_kb = kb;
                }
            }
        }
    }
    mappings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_parse_smaps() {
        let smaps = "\
5555a000-5555b000 r-xp 00001000 fd:01 123 /usr/bin/vassalrun
Size:                  4 kB
Anonymous:             0 kB
5555b000-5555c000 rw-p 00002000 fd:01 123 /usr/bin/vassalrun
Anonymous:             4 kB
Swap:                  8 kB
7ffd0000-7ffd1000 rw-p 00000000 00:00 0 [stack]
Anonymous:             4 kB
7ffe0000-7ffe1000 r-xp 00000000 00:00 0
Anonymous:             0 kB
";
        let parsed = parse(smaps);
        assert_eq!(parsed.len(), 4);
        assert_eq!(
            parsed[0],
            Mapping {
                start: 0x5555a000,
                end: 0x5555b000,
                writable: false,
                file_backed: true,
                anonymous_kb: 0,
                swap_kb: 0
            }
        );
        assert!(parsed[1].writable && parsed[1].anonymous_kb == 4 && parsed[1].swap_kb == 8);
        assert!(!parsed[2].file_backed && !parsed[3].file_backed);
    }

    #[test]
    fn test_release_unused_memory_keeps_the_process_working() {
        let before: Vec<u32> = (0..1000).collect();
        release_unused_memory();
        assert_eq!(before.iter().sum::<u32>(), 499500);
        assert_eq!(format!("{}", 42), "42");
    }
}
