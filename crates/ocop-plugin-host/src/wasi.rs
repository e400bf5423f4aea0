//! The deterministic WASI profile (`runtime = "wasi-deterministic"`): what an interpreter
//! built into a component (componentize-py's CPython, jco's StarlingMonkey) needs to start,
//! and nothing that could make two runs differ or reach outside.
//!
//! - No preopened directories, no environment, no arguments: opening a file fails with
//!   "no such file"; stdin is closed.
//! - Sockets: the interfaces are linked (every componentize-py component imports them) but
//!   TCP, UDP and name lookup are refused at run time.
//! - Wall clock fixed at [`FIXED_WALL_CLOCK_SECONDS`]; monotonic clock fixed at zero. A
//!   sleep or any wait on the clock is ready at once: time does not pass inside a plugin, so
//!   a plugin cannot block the host in a call that fuel does not meter (wasmtime-wasi's own
//!   `subscribe-duration` waits on a real timer).
//! - Randomness from a fixed seed, with a fixed algorithm (splitmix64), so the same plugin
//!   and input give the same bytes years later whatever the `rand` crate does.
//! - Standard output and error captured, each cut at [`OUTPUT_CAP`] bytes: the plugin goes
//!   on writing (it is not failed for printing), the host keeps the start and notes the cut.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use wasmtime::component::{Linker, Resource, ResourceTable};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{DynPollable, OutputStream, Pollable, StreamError, subscribe};
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxBuilder, WasiCtxView};

/// The WASI interfaces of the profile, as `package/interface` (any `0.2.x` version): what
/// componentize-py's CPython and jco's StarlingMonkey import.
pub(crate) const ALLOWED: &[&str] = &[
    "io/error",
    "io/poll",
    "io/streams",
    "clocks/monotonic-clock",
    "clocks/wall-clock",
    "random/random",
    "random/insecure",
    "random/insecure-seed",
    "cli/environment",
    "cli/exit",
    "cli/stdin",
    "cli/stdout",
    "cli/stderr",
    "cli/terminal-input",
    "cli/terminal-output",
    "cli/terminal-stdin",
    "cli/terminal-stdout",
    "cli/terminal-stderr",
    "filesystem/types",
    "filesystem/preopens",
    "sockets/network",
    "sockets/instance-network",
    "sockets/tcp",
    "sockets/tcp-create-socket",
    "sockets/udp",
    "sockets/udp-create-socket",
    "sockets/ip-name-lookup",
];

/// The version of the WASI interfaces wasmtime-wasi defines (a component's `0.2.x` imports
/// link to them).
const WASI_VERSION: &str = "0.2.12";

/// What a plugin's wall clock always reads: 2026-01-01T00:00:00Z.
pub const FIXED_WALL_CLOCK_SECONDS: u64 = 1_767_225_600;
/// The seed of a plugin's randomness.
const SEED: u64 = 0x0c0b_2026_0000_0001;
/// How much of each of standard output and error the host keeps per store.
pub const OUTPUT_CAP: usize = 16 << 10;

/// Whether `import` is an interface of the profile.
pub(crate) fn allowed(import: &str) -> bool {
    let Some(rest) = import.strip_prefix("wasi:") else {
        return false;
    };
    let Some((interface, version)) = rest.split_once('@') else {
        return false;
    };
    version.starts_with("0.2.") && ALLOWED.contains(&interface)
}

/// The WASI state of one store.
pub(crate) struct WasiState {
    ctx: WasiCtx,
    table: ResourceTable,
    /// What the plugin wrote to standard output.
    pub(crate) stdout: Captured,
    /// What the plugin wrote to standard error.
    pub(crate) stderr: Captured,
}

impl std::fmt::Debug for WasiState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasiState")
            .field("stdout", &self.stdout)
            .field("stderr", &self.stderr)
            .finish_non_exhaustive()
    }
}

impl WasiState {
    /// A fresh deterministic context.
    pub(crate) fn new() -> WasiState {
        let stdout = Captured::default();
        let stderr = Captured::default();
        let mut builder = WasiCtxBuilder::new();
        builder
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .wall_clock(FixedWall)
            .monotonic_clock(FixedMonotonic)
            .secure_random(SplitMix64(SEED))
            .insecure_random(SplitMix64(SEED ^ 0x5555_5555_5555_5555))
            .insecure_random_seed(u128::from(SEED))
            .max_random_size(1 << 20)
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false);
        WasiState {
            ctx: builder.build(),
            table: ResourceTable::new(),
            stdout,
            stderr,
        }
    }

    pub(crate) fn view(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

/// Adds the profile to `linker`: wasmtime-wasi's WASI 0.2 with the monotonic clock's waits
/// replaced by ones that are ready at once.
pub(crate) fn add_to_linker<T: wasmtime_wasi::WasiView>(
    linker: &mut Linker<T>,
) -> wasmtime::Result<()> {
    wasmtime_wasi::p2::add_to_linker_sync(linker)?;
    linker.allow_shadowing(true);
    let mut clock = linker.instance(&format!("wasi:clocks/monotonic-clock@{WASI_VERSION}"))?;
    clock.func_wrap(
        "subscribe-duration",
        |mut cx: wasmtime::StoreContextMut<'_, T>, (_,): (u64,)| ready(cx.data_mut().ctx().table),
    )?;
    clock.func_wrap(
        "subscribe-instant",
        |mut cx: wasmtime::StoreContextMut<'_, T>, (_,): (u64,)| ready(cx.data_mut().ctx().table),
    )?;
    linker.allow_shadowing(false);
    Ok(())
}

/// A pollable that is ready at once.
fn ready(table: &mut ResourceTable) -> wasmtime::Result<(Resource<DynPollable>,)> {
    let now = table.push(Now)?;
    Ok((subscribe(table, now)?,))
}

/// A moment that has come: what every clock wait of a plugin resolves to.
struct Now;

#[wasmtime_wasi::async_trait]
impl Pollable for Now {
    async fn ready(&mut self) {}
}

struct FixedWall;

impl HostWallClock for FixedWall {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        Duration::from_secs(FIXED_WALL_CLOCK_SECONDS)
    }
}

struct FixedMonotonic;

impl HostMonotonicClock for FixedMonotonic {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }
    fn now(&self) -> u64 {
        0
    }
}

/// splitmix64 (Steele, Lea and Flood, 2014): a fixed algorithm, so the bytes a seed gives
/// never change with a dependency's update.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl rand::TryRng for SplitMix64 {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.next() >> 32) as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.next())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.next().to_le_bytes();
            for (d, s) in chunk.iter_mut().zip(bytes) {
                *d = s;
            }
        }
        Ok(())
    }
}

/// Standard output or error: keeps the first [`OUTPUT_CAP`] bytes and counts the rest.
#[derive(Clone, Debug, Default)]
pub(crate) struct Captured(Arc<Mutex<CapturedBytes>>);

#[derive(Debug, Default)]
struct CapturedBytes {
    kept: Vec<u8>,
    total: usize,
}

impl Captured {
    fn push(&self, bytes: &[u8]) {
        let Ok(mut inner) = self.0.lock() else {
            return;
        };
        inner.total = inner.total.saturating_add(bytes.len());
        let room = OUTPUT_CAP.saturating_sub(inner.kept.len());
        inner
            .kept
            .extend_from_slice(bytes.get(..room.min(bytes.len())).unwrap_or_default());
    }

    /// What was written, as text, with a note when it was cut.
    pub(crate) fn text(&self) -> String {
        let Ok(inner) = self.0.lock() else {
            return String::new();
        };
        let mut text = String::from_utf8_lossy(&inner.kept).into_owned();
        if inner.total > inner.kept.len() {
            text.push_str(&format!(
                "\n… (cut: the plugin wrote {} bytes; the host keeps {OUTPUT_CAP})",
                inner.total
            ));
        }
        text
    }
}

impl IsTerminal for Captured {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for Captured {
    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }

    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }
}

#[wasmtime_wasi::async_trait]
impl OutputStream for Captured {
    fn write(&mut self, bytes: bytes::Bytes) -> Result<(), StreamError> {
        self.push(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StreamError> {
        Ok(())
    }

    fn check_write(&mut self) -> Result<usize, StreamError> {
        Ok(64 << 10)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for Captured {
    async fn ready(&mut self) {}
}

impl tokio::io::AsyncWrite for Captured {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.push(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_is_the_wasi_0_2_interfaces_named_and_no_other() {
        assert!(allowed("wasi:io/poll@0.2.9"));
        assert!(allowed("wasi:sockets/tcp@0.2.12"));
        assert!(!allowed("wasi:http/types@0.2.10"));
        assert!(!allowed("wasi:io/poll@0.3.0"));
        assert!(!allowed("wasi:io/poll"));
        assert!(!allowed("ocop:plugin/types@0.2.0"));
    }

    #[test]
    fn random_is_seeded_and_fixed() {
        let mut a = SplitMix64(SEED);
        let mut b = SplitMix64(SEED);
        let mut bytes = [0u8; 13];
        let _ = rand::TryRng::try_fill_bytes(&mut a, &mut bytes);
        let _ = rand::TryRng::try_next_u64(&mut b);
        assert_eq!(
            bytes.get(..8),
            Some(&SplitMix64(SEED).next().to_le_bytes()[..])
        );
        // splitmix64's first output for seed 0 (reference value).
        assert_eq!(SplitMix64(0).next(), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn output_is_cut_not_failed() {
        let out = Captured::default();
        let mut stream: Box<dyn OutputStream> = out.p2_stream();
        for _ in 0..5 {
            assert!(
                stream
                    .write(bytes::Bytes::from(vec![b'x'; OUTPUT_CAP / 2]))
                    .is_ok()
            );
        }
        let text = out.text();
        assert!(text.starts_with(&"x".repeat(OUTPUT_CAP)));
        assert!(text.contains("cut: the plugin wrote"), "{text}");
    }
}
