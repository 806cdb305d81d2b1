//! Calibration sessions, their items, participants, scores and discussion notes.
