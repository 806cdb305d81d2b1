//! The candidate's side: access by the invitation's own secret (`access`),
//! checking an uploaded answer with ffprobe (`probe`), and storing it as
//! the question's final take (`upload`).

pub mod access;
pub mod probe;
pub mod upload;
