//! Figures already computed, by everything that determines them. The
//! bootstraps are pure functions of their input and seed, and most of an
//! organisation's input does not change between two requests (last
//! quarter's ratings, the hired candidates' scores), so such a figure is
//! looked up instead of drawn again. Exact: the key is the whole input (or
//! its SHA-256), never a guess at whether it changed.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

/// Enough for every figure of several scopes at 100,000 interviews
/// (about 100 questions x 4 outcomes, a few dozen quarters).
const KEPT: usize = 4096;

/// A bounded map from input to figure; cleared when full, so it never
/// grows with the age of the server.
pub struct Kept<K, V>(Mutex<HashMap<K, V>>);

impl<K, V> Default for Kept<K, V> {
    fn default() -> Self {
        Kept(Mutex::new(HashMap::new()))
    }
}

impl<K: Eq + Hash, V: Clone> Kept<K, V> {
    /// The figure kept for `key`, or `compute()`'s, kept from now on. The
    /// lock is not held while computing: two requests may both compute a
    /// new figure, and get the same one.
    pub fn get_or(&self, key: K, compute: impl FnOnce() -> V) -> V {
        if let Some(v) = self.0.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return v;
        }
        let v = compute();
        if let Ok(mut m) = self.0.lock() {
            if m.len() >= KEPT {
                m.clear();
            }
            m.insert(key, v.clone());
        }
        v
    }

    pub fn len(&self) -> usize {
        self.0.lock().map_or(0, |m| m.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_is_computed_once_per_key_and_the_map_stays_bounded() {
        let kept: Kept<u64, u64> = Kept::default();
        let mut calls = 0;
        for _ in 0..3 {
            assert_eq!(
                kept.get_or(7, || {
                    calls += 1;
                    49
                }),
                49
            );
        }
        assert_eq!((calls, kept.len()), (1, 1));
        for k in 0..KEPT as u64 + 10 {
            kept.get_or(k + 100, || k);
        }
        assert!(kept.len() <= KEPT, "{}", kept.len());
        // Cleared, not wrong: a key asked again is computed again.
        assert_eq!(kept.get_or(7, || 50), 50);
    }
}
