//! Cross-crate tests, one binary (`cargo test -p ocop-tests`).
#![cfg(test)]

mod definitions;
mod demo;
mod facade;
mod graphs;
mod polyglot;
mod properties;
mod provinces;
mod schemas;
mod upgrade;
