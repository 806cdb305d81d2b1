//! Media: the file store, HTTP Range parsing and WebVTT transcripts.

pub mod range;
pub mod store;
pub mod webvtt;
