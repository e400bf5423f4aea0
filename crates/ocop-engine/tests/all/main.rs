//! The engine's integration tests, in one binary (`cargo test -p ocop-engine --test all`).
#![cfg(test)]

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
