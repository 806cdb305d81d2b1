//! Review assignments and the scores reviewers give on them.
