//! The webhooks outbox: endpoints, events and their deliveries.
