//! The engine's integration tests, in one binary (`cargo test -p ocop-engine --test all`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly on purpose"
)]

mod can_tho;
mod council;
mod crash;
mod derived;
mod migration;
mod model;
mod national;
mod properties;
mod seeds;
mod stores;
mod support;
