//! `ocop demo`: a province's OCOP year end to end.

pub(crate) mod data;
pub(crate) mod sim;
