//! Calibration sessions, their items, participants, scores and discussion
//! notes. Who may read or write what is decided by `api::calibration`; the
//! functions here only store and fetch.

mod results;
mod scores;
mod seed;
mod sessions;

pub use results::{add_note, item_exists, notes, result_items, reveal, score_notes, ResultItem};
pub use scores::{
    item_scale, lock_participant, my_scores, put_score, score_of, submit, submitted_table,
    unscored_positions,
};
pub use seed::{demo_sample_pool, demo_sample_set, seed_score, SamplePoolRow};
pub use sessions::{
    access_row, insert_session, item_ids, items, list, participants, ListRow, NewSession,
    SessionRow,
};
