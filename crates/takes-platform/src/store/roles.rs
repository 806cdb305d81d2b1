//! Job roles, their question sets, questions, rubrics and reviewer pools.
