//! The platform API over real sockets, on SQLite and on PostgreSQL.

mod ats_support;
mod support;

mod ats_generic;
mod authz;
mod bad_input;
mod board;
mod calibration;
mod calibration_live;
mod candidate_browser;
mod candidate_page;
mod candidate_secrets;
mod concurrency;
mod contracts;
mod demo_data;
mod email;
mod greenhouse;
mod invitations;
mod lever;
mod lifecycle;
mod media;
mod openapi;
mod process;
mod process_api;
mod process_flow;
mod resumable;
mod scoring;
mod share_links;
mod slow_clients;
mod ssrf;
mod sweep;
mod tokens;
mod transcripts;
mod upload_probe;
mod uploads;
mod webhooks;
