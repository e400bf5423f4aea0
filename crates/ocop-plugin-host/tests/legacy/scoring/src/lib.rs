//! The criteria plugin's guest as it was built against `ocop:plugin@0.1.0` (the frozen WIT
//! in `plugins/wit/0.1.0/`), on today's rules: one case for the whole sheet, no facts list,
//! no panic hook. Only the host's tests build it, to check that 0.1.0 components still load
//! and score the same as the current build.

#![deny(unsafe_code)]

#[cfg(feature = "guest")]
mod guest;
