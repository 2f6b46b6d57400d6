//! Readable default container names (`brave_turing`), as Docker generates them.

use rand::seq::SliceRandom;

const ADJECTIVES: [&str; 24] = [
    "agile", "bold", "brave", "calm", "clever", "eager", "fair", "gentle", "happy", "jolly",
    "keen", "kind", "lucid", "merry", "nimble", "proud", "quick", "quiet", "sharp", "sturdy",
    "swift", "tidy", "vivid", "witty",
];

const NAMES: [&str; 24] = [
    "babbage", "bell", "curie", "darwin", "dijkstra", "einstein", "euler", "faraday", "fermi",
    "gauss", "hopper", "kepler", "knuth", "lamport", "liskov", "lovelace", "maxwell", "newton",
    "noether", "pascal", "ritchie", "tesla", "thompson", "turing",
];

/// A random `adjective_name`; with `attempt > 0` a number is appended.
pub fn generate(attempt: u32) -> String {
    let mut rng = rand::thread_rng();
    let adjective = ADJECTIVES.choose(&mut rng).copied().unwrap_or("calm");
    let name = NAMES.choose(&mut rng).copied().unwrap_or("turing");
    if attempt == 0 {
        format!("{adjective}_{name}")
    } else {
        format!("{adjective}_{name}{attempt}")
    }
}
