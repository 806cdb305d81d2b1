//! The candidate's side: access by the invitation's own secret (`access`),
//! checking an uploaded answer with ffprobe (`probe`), and storing it as
//! the question's final take (`upload`), and clearing uploads a crashed
//! server left unfinished (`parts`).

pub mod access;
pub mod parts;
pub mod probe;
pub mod upload;
