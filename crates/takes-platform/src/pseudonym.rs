//! Stable pseudonyms shown to reviewers instead of candidates' names.
//!
//! Derived from the candidate's id, not their name, so the pseudonym reveals
//! nothing about who the candidate is and stays the same for every reviewer.

use sha2::{Digest, Sha256};

const COLOURS: [&str; 16] = [
    "Amber", "Azure", "Coral", "Cobalt", "Ember", "Fern", "Indigo", "Jade", "Lilac", "Maple",
    "Ochre", "Pearl", "Saffron", "Slate", "Teal", "Umber",
];
const ANIMALS: [&str; 16] = [
    "Heron", "Otter", "Lynx", "Falcon", "Badger", "Marten", "Ibis", "Puffin", "Gecko", "Bison",
    "Crane", "Wren", "Orca", "Hare", "Kestrel", "Newt",
];

/// E.g. `Candidate Teal Heron 042`.
pub fn for_candidate(candidate_id: &str) -> String {
    let digest = Sha256::digest(candidate_id.as_bytes());
    let colour = COLOURS[(digest[0] % 16) as usize];
    let animal = ANIMALS[(digest[1] % 16) as usize];
    let number = u16::from_be_bytes([digest[2], digest[3]]) % 1000;
    format!("Candidate {colour} {animal} {number:03}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_and_distinct() {
        assert_eq!(for_candidate("abc"), for_candidate("abc"));
        assert_ne!(for_candidate("abc"), for_candidate("abd"));
        assert!(for_candidate("x").starts_with("Candidate "));
    }
}
