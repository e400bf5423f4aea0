//! OCOP engine (under construction).
