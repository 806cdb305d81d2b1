//! Fitting the hint bar to the width: whole entries are dropped, lowest
//! priority first (the last of equals first), never cut in the middle;
//! the help key always stays. What is left keeps the features' order,
//! which lists the most important first.

use unicode_width::UnicodeWidthStr;

use crate::features::Priority;

/// The columns one entry takes as drawn: `KEY label` and two spaces.
pub fn entry_width(key: &str, label: &str) -> usize {
    key.width() + 1 + label.width() + 2
}

/// The columns the bar takes: a leading space, the entries, without the
/// last entry's trailing spaces.
pub fn bar_width<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> usize {
    let sum: usize = entries.into_iter().map(|(k, l)| entry_width(k, l)).sum();
    (1 + sum).saturating_sub(2)
}

/// The entries that fit `width` columns.
pub fn fit(
    mut entries: Vec<(String, &'static str, Priority)>,
    width: usize,
) -> Vec<(String, &'static str)> {
    let used = |e: &[(String, &'static str, Priority)]| {
        bar_width(e.iter().map(|(k, l, _)| (k.as_str(), *l)))
    };
    while used(&entries) > width {
        let drop = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.2 != Priority::Always)
            .min_by_key(|(i, e)| (e.2, std::cmp::Reverse(*i)))
            .map(|(i, _)| i);
        match drop {
            Some(i) => {
                entries.remove(i);
            }
            None => break,
        }
    }
    entries.into_iter().map(|(k, l, _)| (k, l)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn e(k: &str, l: &'static str, p: Priority) -> (String, &'static str, Priority) {
        (k.to_string(), l, p)
    }

    #[test]
    fn drops_the_least_important_whole() {
        let all = vec![
            e("1-5", "rate", Priority::High),
            e("n", "next", Priority::Normal),
            e("p", "prev", Priority::Low),
            e("v", "video", Priority::Normal),
            e("?", "help", Priority::Always),
        ];
        let w = bar_width(all.iter().map(|(k, l, _)| (k.as_str(), *l)));
        assert_eq!(fit(all.clone(), w).len(), 5);
        let keys = |v: Vec<(String, &str)>| v.into_iter().map(|e| e.0).collect::<Vec<_>>();
        assert_eq!(keys(fit(all.clone(), w - 1)), ["1-5", "n", "v", "?"]);
        assert_eq!(keys(fit(all.clone(), 25)), ["1-5", "n", "?"]);
        assert_eq!(keys(fit(all.clone(), 24)), ["1-5", "?"]);
        assert_eq!(keys(fit(all.clone(), 0)), ["?"]);
    }

    proptest! {
        #[test]
        fn fits_keeps_help_and_order(
            width in 0usize..200,
            prios in proptest::collection::vec(0u8..3, 0..20),
        ) {
            let labels = ["rate", "play", "sound", "next", "a longer label"];
            let mut all: Vec<_> = prios
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let p = [Priority::Low, Priority::Normal, Priority::High][*p as usize];
                    (format!("k{i}"), labels[i % labels.len()], p)
                })
                .collect();
            all.push(e("?", "help", Priority::Always));
            let out = fit(all.clone(), width);
            let w = bar_width(out.iter().map(|(k, l)| (k.as_str(), *l)));
            prop_assert!(w <= width || out.len() == 1);
            prop_assert!(out.iter().any(|(k, _)| k == "?"));
            // A subsequence of the input, in order.
            let mut it = all.iter();
            for (k, _) in &out {
                prop_assert!(it.any(|(k2, _, _)| k2 == k));
            }
            // Nothing dropped while a lower one stayed.
            let kept_min = all.iter().filter(|a| out.iter().any(|o| o.0 == a.0)).map(|a| a.2).min();
            let dropped_max = all.iter().filter(|a| !out.iter().any(|o| o.0 == a.0)).map(|a| a.2).max();
            if let (Some(k), Some(d)) = (kept_min, dropped_max) {
                prop_assert!(d <= k);
            }
        }
    }
}
