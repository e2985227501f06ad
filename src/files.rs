//! Files in and out.
//!
//! Every file flowc reads is one of the kinds of [`Input`], each with a size
//! limit; [`read`] refuses a file past its limit before reading it whole,
//! also when the file is not a regular one (`/dev/zero`, a FIFO) and its
//! size is only found out by reading. Outputs are written with
//! [`write_atomic`], so that a reader never sees half a file, and
//! [`same_file`] lets a command refuse to write over one of its inputs.
//! docs/reliability.md lists the limits.

use std::fmt;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

const MIB: u64 = 1024 * 1024;

/// What a file read by flowc holds; this decides its size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// A `.flow` source, including a solution flow named by a catalogue.
    Source,
    /// A compiled `.flowbc` module.
    Module,
    /// A suspended run's saved state.
    State,
    /// A `--scenario` JSON file.
    Scenario,
    /// A `--plans` catalogue.
    Catalogue,
    /// The JSON answer to one screen, given to resume a suspended run.
    ResumeInput,
}

impl Input {
    /// The most bytes a file of this kind may have.
    pub const fn limit(self) -> u64 {
        match self {
            // The parser's own bound, so that the CLI never reads a source
            // the parser would refuse.
            Input::Source => crate::parser::MAX_SOURCE_BYTES as u64,
            // A compiled module runs to about 4 bytes per source byte on
            // dense code; this leaves twice that over the source limit.
            Input::Module => 16 * MIB,
            // The VM's own limit: a larger state neither saves nor loads.
            Input::State => crate::vm::limits::MAX_STATE_BYTES as u64,
            Input::Scenario => 4 * MIB,
            Input::Catalogue => 4 * MIB,
            Input::ResumeInput => MIB,
        }
    }

    /// How a message names a file of this kind.
    pub fn noun(self) -> &'static str {
        match self {
            Input::Source => "a source file",
            Input::Module => "a module",
            Input::State => "a state file",
            Input::Scenario => "a scenario",
            Input::Catalogue => "a catalogue",
            Input::ResumeInput => "a resume input",
        }
    }
}

/// Why a file could not be read.
#[derive(Debug)]
pub struct ReadError {
    pub path: PathBuf,
    pub kind: Input,
    pub fault: Fault,
}

#[derive(Debug)]
pub enum Fault {
    Io(io::Error),
    TooLarge,
    NotUtf8,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match &self.fault {
            Fault::Io(e) => write!(f, "cannot read `{path}`: {e}"),
            Fault::TooLarge => write!(
                f,
                "`{path}` is larger than {}, the limit for {}",
                size(self.kind.limit()),
                self.kind.noun()
            ),
            Fault::NotUtf8 => write!(f, "`{path}` is not valid UTF-8"),
        }
    }
}

impl std::error::Error for ReadError {}

/// `2 MiB`, or a count of bytes for a limit that is not whole mebibytes.
pub fn size(bytes: u64) -> String {
    if bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// Reads a whole file of `kind`, refusing it past the kind's limit.
pub fn read(path: &Path, kind: Input) -> Result<Vec<u8>, ReadError> {
    let error = |fault| ReadError {
        path: path.to_path_buf(),
        kind,
        fault,
    };
    match read_limited(path, kind.limit()) {
        Ok(Some(bytes)) => Ok(bytes),
        Ok(None) => Err(error(Fault::TooLarge)),
        Err(e) => Err(error(Fault::Io(e))),
    }
}

/// [`read`], for a file that must be UTF-8 text.
pub fn read_text(path: &Path, kind: Input) -> Result<String, ReadError> {
    String::from_utf8(read(path, kind)?).map_err(|_| ReadError {
        path: path.to_path_buf(),
        kind,
        fault: Fault::NotUtf8,
    })
}

/// Reads at most `limit` bytes of a file: `None` when it holds more. A
/// regular file is refused by its size before any read; any other file is
/// read through `Read::take(limit + 1)`, so that an endless one
/// (`/dev/zero`) costs at most `limit + 1` bytes of memory.
pub fn read_limited(path: &Path, limit: u64) -> io::Result<Option<Vec<u8>>> {
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_file() && meta.len() > limit {
        return Ok(None);
    }
    let expected = if meta.is_file() { meta.len() } else { 0 };
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Ok(None);
    }
    Ok(Some(bytes))
}

/// Writes `bytes` to `path` atomically: into a new file in the same folder,
/// then renamed over `path`. Readers see the old file or the new one, never
/// a part; on any failure `path` is left as it was. A symlink at `path` is
/// replaced, not written through. The new file gets the usual permissions
/// (`0666` less the umask on Unix).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".flowc-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Whether `a` and `b` name the same existing file, whatever the path
/// spelling, hard links or symlinks: the same device and inode on Unix,
/// the same canonical path elsewhere. No file is opened (opening a FIFO
/// could block). A path that does not exist is the same as nothing.
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("flowc-files-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn read_limited_stops_at_the_limit() {
        let dir = temp_dir("limit");
        let path = dir.join("f");
        std::fs::write(&path, b"12345").unwrap();
        assert_eq!(read_limited(&path, 5).unwrap(), Some(b"12345".to_vec()));
        assert_eq!(read_limited(&path, 4).unwrap(), None);
        assert!(read_limited(&dir.join("missing"), 4).is_err());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn an_endless_file_is_refused_not_read_whole() {
        let zero = Path::new("/dev/zero");
        assert_eq!(read_limited(zero, 1000).unwrap(), None);
        let err = read(zero, Input::Source).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`/dev/zero` is larger than 2 MiB, the limit for a source file"
        );
    }

    #[test]
    fn write_atomic_replaces_and_leaves_no_temporary() {
        let dir = temp_dir("atomic");
        let path = dir.join("out.bin");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["out.bin"]);
        // a folder that does not exist: an error, nothing written
        assert!(write_atomic(&dir.join("no/such/out.bin"), b"x").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn same_file_sees_through_spellings_and_links() {
        let dir = temp_dir("same");
        let a = dir.join("a.flow");
        std::fs::write(&a, "x").unwrap();
        let hard = dir.join("hard.flow");
        let soft = dir.join("soft.flow");
        let _ = std::fs::remove_file(&hard);
        let _ = std::fs::remove_file(&soft);
        std::fs::hard_link(&a, &hard).unwrap();
        std::os::unix::fs::symlink(&a, &soft).unwrap();
        let dotted = dir.join(".").join("a.flow");
        for other in [&a, &hard, &soft, &dotted] {
            assert!(same_file(&a, other), "{}", other.display());
        }
        std::fs::write(dir.join("b.flow"), "x").unwrap();
        assert!(!same_file(&a, &dir.join("b.flow")));
        assert!(!same_file(&a, &dir.join("missing.flow")));
    }
}
