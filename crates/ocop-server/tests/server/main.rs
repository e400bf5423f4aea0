//! The server end to end over HTTP: authentication, tenants, every bad input and attack the
//! issue lists (each followed by `verify` on every case), limits, the ticker on two nodes,
//! graceful shutdown, the Python client, and the pages' walls (CSRF, framing, cookies).
#![cfg(test)]

mod attacks;
mod flow;
mod support;
mod ticker;
mod web;
