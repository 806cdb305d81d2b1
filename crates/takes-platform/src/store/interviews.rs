//! Candidates, interviews, responses and their media objects.
