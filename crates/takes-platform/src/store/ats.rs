//! Links to applicant tracking systems and the inbound events they sent.
