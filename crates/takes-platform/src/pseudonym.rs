//! Stable pseudonyms shown to reviewers instead of candidates' names.
//!
//! Derived from the candidate's id, not their name, so the pseudonym reveals
//! nothing about who the candidate is and stays the same for every reviewer.
//! Unique per organisation (one database): 32 x 32 x 1000 first choices,
//! and when the derived one is taken the store tries the next candidate of
//! [`attempt`] (a unique index decides; see `store::interviews::candidate`).

use sha2::{Digest, Sha256};

const COLOURS: [&str; 32] = [
    "Amber", "Azure", "Coral", "Cobalt", "Ember", "Fern", "Indigo", "Jade", "Lilac", "Maple",
    "Ochre", "Pearl", "Saffron", "Slate", "Teal", "Umber", "Birch", "Cedar", "Copper", "Crimson",
    "Garnet", "Onyx", "Ivory", "Juniper", "Lemon", "Moss", "Quartz", "Plum", "Russet", "Sage",
    "Cyan", "Topaz",
];
const ANIMALS: [&str; 32] = [
    "Heron", "Otter", "Lynx", "Falcon", "Badger", "Marten", "Ibis", "Puffin", "Gecko", "Bison",
    "Crane", "Wren", "Orca", "Hare", "Kestrel", "Newt", "Beaver", "Condor", "Dingo", "Egret",
    "Ferret", "Gannet", "Jackal", "Koala", "Lemur", "Magpie", "Narwhal", "Ocelot", "Panda",
    "Quail", "Raven", "Stoat",
];

/// How many pseudonyms the store tries before it gives up. The first
/// [`SHORT_ATTEMPTS`] come from about a million three-digit names, the rest
/// from a thousand times more six-digit ones, so running out would take
/// dozens of collisions in a row in a space that is nowhere near full.
pub const ATTEMPTS: u32 = 64;
pub const SHORT_ATTEMPTS: u32 = 16;

/// E.g. `Candidate Teal Heron 042`: the first choice for this candidate.
pub fn for_candidate(candidate_id: &str) -> String {
    attempt(candidate_id, 0)
}

/// The `n`-th choice for this candidate (0 = [`for_candidate`]); each is a
/// fresh, independent draw derived from the id.
pub fn attempt(candidate_id: &str, n: u32) -> String {
    let mut h = Sha256::new();
    h.update(candidate_id.as_bytes());
    if n > 0 {
        h.update(format!("#{n}").as_bytes());
    }
    let digest = h.finalize();
    let colour = COLOURS[usize::from(digest[0]) % COLOURS.len()];
    let animal = ANIMALS[usize::from(digest[1]) % ANIMALS.len()];
    if n < SHORT_ATTEMPTS {
        let number = u16::from_be_bytes([digest[2], digest[3]]) % 1000;
        format!("Candidate {colour} {animal} {number:03}")
    } else {
        let number = u32::from_be_bytes([digest[2], digest[3], digest[4], digest[5]]) % 1_000_000;
        format!("Candidate {colour} {animal} {number:06}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn stable_and_distinct() {
        assert_eq!(for_candidate("abc"), for_candidate("abc"));
        assert_ne!(for_candidate("abc"), for_candidate("abd"));
        assert!(for_candidate("x").starts_with("Candidate "));
        assert_eq!(attempt("abc", 0), for_candidate("abc"));
        let choices: HashSet<String> = (0..ATTEMPTS).map(|n| attempt("abc", n)).collect();
        assert_eq!(
            choices.len(),
            ATTEMPTS as usize,
            "every attempt is a new name"
        );
        assert!(attempt("abc", SHORT_ATTEMPTS).ends_with(|c: char| c.is_ascii_digit()));
    }

    #[test]
    fn words_are_distinct_single_words() {
        let words: HashSet<&str> = COLOURS.iter().chain(ANIMALS.iter()).copied().collect();
        assert_eq!(words.len(), COLOURS.len() + ANIMALS.len());
        assert!(words
            .iter()
            .all(|w| w.chars().all(|c| c.is_ascii_alphabetic())));
    }
}
