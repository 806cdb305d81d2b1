//! Users and their API tokens (stored hashed).
