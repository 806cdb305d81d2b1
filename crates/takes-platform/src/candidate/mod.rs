//! The candidate's side: access by the invitation's own secret (`access`),
//! checking an uploaded answer with ffprobe (`probe`), and storing it as
//! the question's final take (`upload`) under the candidate's terms and
//! accommodations (`terms`), and clearing uploads a crashed
//! server left unfinished (`parts`), the recording page itself (`page`),
//! and the done step's and email's one acknowledgement sentence
//! (`acknowledgement`).

pub mod access;
pub mod acknowledgement;
pub mod page;
pub mod parts;
pub mod probe;
pub mod remux;
pub mod resumable;
pub mod takes;
pub mod terms;
pub mod upload;
