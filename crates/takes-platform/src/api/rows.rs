//! Empty: rows are read, and turned into wire types, by `crate::store`.
//! `api/mod.rs` still declares this module; it can go with that line.
