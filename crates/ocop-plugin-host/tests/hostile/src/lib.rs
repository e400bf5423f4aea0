//! A hostile scoring plugin: its `score` misbehaves according to the product set it is
//! asked to score, so that one component exercises every way a plugin can go wrong. Only
//! the host's tests build it. Its sheet: criteria `a` (A: 0, 25, 40 points), `b` (B: 0, 10,
//! 25) and `c` (C: 0, 30, 35 marked `*****`), and one knock-out (fact
//! `food_safety_certificate`).
//!
//! | set | behaviour |
//! |---|---|
//! | 1 | loops forever |
//! | 2 | reserves memory until the limit |
//! | 3 | recurses without end (small frames: WebAssembly's stack overflows) |
//! | 4 | panics |
//! | 5 | returns a hundred thousand lines |
//! | 6 | returns a total that does not add up |
//! | 7 | refuses the sheet with a 1 MiB message |
//! | 8 | behaves |
//! | 9 | inflates its lines (every line its criterion's maximum, sums consistent) |
//! | 10 | ignores minimum marks (cap 5 with a 5-star mark missed) |
//! | 11 | ignores knock-outs (none without the food-safety certificate) |
//! | 12 | counts its calls: every second call on a kept instance caps the rank at 2 |
//! | 13 | allocates a little at a time, for ever (the fuel runs out first) |
//! | 14 | recurses with 64 KiB frames (the stack in linear memory overflows) |

#![deny(unsafe_code)]

#[cfg(feature = "guest")]
mod guest;

/// The product sets the plugin claims.
pub const SETS: u8 = 14;

/// How the plugin behaves on a product set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Loops forever.
    Loop,
    /// Reserves memory until the limit.
    Memory,
    /// Recurses without end.
    Recursion,
    /// Panics.
    Panic,
    /// Returns a hundred thousand lines.
    HugeOutput,
    /// Returns a total that does not add up.
    BadTotals,
    /// Refuses with a 1 MiB message.
    HugeError,
    /// Behaves.
    Behave,
    /// Inflates its lines, with consistent sums.
    InflatedLines,
    /// Reports cap 5 whatever the minimum marks say.
    IgnoredMinimums,
    /// Reports no knock-out.
    IgnoredKnockouts,
    /// Alternates its result on a kept instance.
    Counter,
    /// Allocates without end, slowly.
    Leak,
    /// Recurses with large frames.
    BigFrames,
}

/// What set `n` makes the plugin do.
pub fn behaviour(set: u8) -> Behaviour {
    match set {
        1 => Behaviour::Loop,
        2 => Behaviour::Memory,
        3 => Behaviour::Recursion,
        4 => Behaviour::Panic,
        5 => Behaviour::HugeOutput,
        6 => Behaviour::BadTotals,
        7 => Behaviour::HugeError,
        9 => Behaviour::InflatedLines,
        10 => Behaviour::IgnoredMinimums,
        11 => Behaviour::IgnoredKnockouts,
        12 => Behaviour::Counter,
        13 => Behaviour::Leak,
        14 => Behaviour::BigFrames,
        _ => Behaviour::Behave,
    }
}
