//! The terminal link: how fast what we write drains, and a writer that puts
//! the reviewer's input and UI first and sends video only as fast as it
//! drains (see `docs/ARCHITECTURE.md`, "Output over slow links").

pub mod adapt;

pub mod probe;
pub mod session;
pub mod socket;
pub mod wire;
pub mod writer;

pub use adapt::{describe_rate, Adapter, Level, Plan, Sample};
pub use wire::LeanBackend;
pub use writer::{Class, LinkWriter};
