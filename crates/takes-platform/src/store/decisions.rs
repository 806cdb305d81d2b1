//! Recruiters' decisions on interviews.
