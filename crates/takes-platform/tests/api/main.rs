//! The platform API over real sockets, on SQLite and on PostgreSQL.

mod support;

mod authz;
mod bad_input;
mod calibration;
mod concurrency;
mod demo_data;
mod media;
mod openapi;
mod scoring;
mod webhooks;
