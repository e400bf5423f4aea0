//! Parse and validate arbitrary bytes as a cycle definition, in both syntaxes. Whatever the
//! input, this must not panic, and an accepted definition must load into a cycle whose
//! every state is reachable.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for file in ["fuzz.toml", "fuzz.json"] {
        let report = ocop_core::check_definition(file, text);
        if !report.has_errors() {
            let cycle = ocop_core::load_definition(file, text).expect("checked definition loads");
            let reached = cycle.reachable_from(&cycle.initial().id);
            assert_eq!(reached.len(), cycle.states().count());
        }
    }
});
