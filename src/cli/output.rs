//! Writing to stdout and stderr.
//!
//! A closed pipe (`flowc run x.flow | head -1`) is not a fault: the rest of
//! that stream's output is dropped quietly and the exit code is the
//! command's own. Any other failed write (a full disk, `> /dev/full`) is
//! kept, the stream is given up, and [`finish`] turns the command's exit
//! code into 2 with a message; `print!` would have panicked (exit 101) on
//! stderr and the old `let _ = write!` ignored it on stdout (exit 0).

use std::io::{self, Write};
use std::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stream {
    Stdout,
    Stderr,
}

/// What became of one stream.
#[derive(Debug)]
enum Health {
    Open,
    /// The reader went away: write nothing more, report nothing.
    Closed,
    /// A write failed for another reason: write nothing more, exit 2.
    Failed(io::Error),
}

static STDOUT: Mutex<Health> = Mutex::new(Health::Open);
static STDERR: Mutex<Health> = Mutex::new(Health::Open);

fn lock(stream: Stream) -> std::sync::MutexGuard<'static, Health> {
    let m = match stream {
        Stream::Stdout => &STDOUT,
        Stream::Stderr => &STDERR,
    };
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs `op` on the stream unless it is already closed or failed, and keeps
/// what became of it.
fn with(stream: Stream, op: impl FnOnce() -> io::Result<()>) {
    let mut h = lock(stream);
    if matches!(*h, Health::Open) {
        match op() {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => *h = Health::Closed,
            Err(e) => *h = Health::Failed(e),
        }
    }
}

/// Writes to a stream (what `out!`, `outln!`, `err!` and `errln!` expand to).
pub(crate) fn write(stream: Stream, args: std::fmt::Arguments<'_>) {
    with(stream, || match stream {
        Stream::Stdout => io::stdout().lock().write_fmt(args),
        Stream::Stderr => io::stderr().lock().write_fmt(args),
    });
}

/// Records the outcome of a write made elsewhere (clap's own printing).
pub(crate) fn record(stream: Stream, result: io::Result<()>) {
    with(stream, || result);
}

/// Why writes to the stream failed, if they did (a closed pipe is not a
/// failure).
fn failure(stream: Stream) -> Option<String> {
    match &*lock(stream) {
        Health::Failed(e) => Some(e.to_string()),
        Health::Open | Health::Closed => None,
    }
}

/// Flushes stdout and returns the exit code: `code`, or 2 when a write to
/// stdout or stderr failed other than by a closed pipe. A failed stdout is
/// reported on stderr (when that still works).
pub(crate) fn finish(code: u8) -> u8 {
    with(Stream::Stdout, || io::stdout().lock().flush());
    let stdout_failed = failure(Stream::Stdout);
    if let Some(e) = &stdout_failed {
        write(
            Stream::Stderr,
            format_args!("error: cannot write to standard output: {e}\n"),
        );
    }
    if stdout_failed.is_some() || failure(Stream::Stderr).is_some() {
        super::EXIT_USAGE
    } else {
        code
    }
}
