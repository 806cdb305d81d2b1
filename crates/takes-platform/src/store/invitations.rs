//! Invitations: completion windows, reminders, expiry and candidate access.
