//! Plugin host (under construction).
