//! Writes seed inputs for the `event_log` fuzz target when `OCOP_FUZZ_SEEDS` names a
//! directory (`OCOP_FUZZ_SEEDS=/tmp/seeds cargo test -p ocop-engine --test all seeds`), and
//! checks that those seeds are what the fuzz target expects: logs that decode and verify.

use ocop_engine::{TransitionInput, decode_log, encode_log};

use crate::support::*;

#[test]
fn event_log_seeds_decode_and_verify() {
    let (engine, _, store) = start("national-2026", "2026-06-01");
    first_filing(&engine, &store, "s");
    council_round(&engine, &store, "s", &PROVINCE_ROUND, (80.0, 4), true);
    take_with(
        &engine,
        &store,
        "s",
        a("chu-tich-tinh", "province_chair"),
        "province_certify",
        TransitionInput::default(),
    );
    let log = encode_log(&history(&store, "s")).unwrap();
    let events = decode_log(&log).unwrap();
    ocop_engine::verify(&events).unwrap();
    if let Ok(dir) = std::env::var("OCOP_FUZZ_SEEDS") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            std::path::Path::new(&dir).join("national-certified.jsonl"),
            &log,
        )
        .unwrap();
        let short = encode_log(&events[..3]).unwrap();
        std::fs::write(
            std::path::Path::new(&dir).join("national-filed.jsonl"),
            short,
        )
        .unwrap();
    }
}
