//! An example of another project's test suite: its tests (in `tests/`) check the shipped
//! definitions and plugins of ocop through `ocop-testkit`'s public API alone, as a
//! province's integration tests would. The library itself is empty.
#![forbid(unsafe_code)]
