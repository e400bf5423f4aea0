//! Cross-crate tests, one binary (`cargo test -p ocop-tests`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly on purpose"
)]

mod definitions;
mod demo;
mod facade;
mod graphs;
mod polyglot;
mod properties;
mod provinces;
mod schemas;
mod upgrade;
