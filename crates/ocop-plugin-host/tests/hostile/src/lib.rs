//! A hostile scoring plugin: its `score` misbehaves according to the product set it is
//! asked to score, so that one component exercises every way a plugin can go wrong. Only
//! the host's tests build it.
//!
//! | set | behaviour |
//! |---|---|
//! | 1 | loops forever |
//! | 2 | allocates until memory runs out |
//! | 3 | recurses without end |
//! | 4 | panics |
//! | 5 | returns a hundred thousand lines |
//! | 6 | returns totals that do not add up |
//! | 7 | refuses the sheet with a 1 MiB message |
//! | 8 | behaves |

#![deny(unsafe_code)]

#[cfg(feature = "guest")]
mod guest;

/// What set `n` makes the plugin do.
pub fn behaviour(set: u8) -> &'static str {
    match set {
        1 => "loop",
        2 => "memory",
        3 => "recursion",
        4 => "panic",
        5 => "huge-output",
        6 => "bad-totals",
        7 => "huge-error",
        _ => "behave",
    }
}
