//! The Cần Thơ guard's guest as it was built against `ocop:plugin@0.1.0` (the frozen WIT in
//! `plugins/wit/0.1.0/`). Only the host's tests build it, to check that 0.1.0 guard
//! components still load and check the same as the current build.

#![deny(unsafe_code)]

#[cfg(feature = "guest")]
mod guest;
