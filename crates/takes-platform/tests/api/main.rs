//! The platform API over real sockets, on SQLite and on PostgreSQL.

mod support;

mod authz;
mod bad_input;
mod concurrency;
mod demo_data;
mod media;
mod openapi;
mod scoring;
