//! SARIF 2.1.0 output: `flowc check --format sarif`.
//!
//! One log with one run for all the files checked, built with the
//! `serde-sarif` types:
//!
//! - the tool's rules are the codes registry: one rule per [`Code`], its
//!   short description the code's title, its full description the first
//!   paragraph of its explanation, its help the whole explanation (what
//!   `flowc explain CODE` prints), its default level the code's severity;
//! - each diagnostic is a result with `ruleId` and `ruleIndex`, a `level`
//!   (`error` or `warning`, after `--deny warnings`), its message with the
//!   `help:` and `note:` lines, the primary label as its location (its
//!   text as the location's message), secondary labels as related
//!   locations, and a `partialFingerprints` entry that does not move when
//!   lines are added above it;
//! - regions give lines and columns as flowc counts them, 1-based, columns
//!   in Unicode scalar values (the run says `"columnKind":
//!   "unicodeCodePoints"`), and the same span in bytes (`byteOffset`,
//!   `byteLength`);
//! - URIs are relative to the repository root (the nearest directory up
//!   from the working directory that holds `.git`, else the working
//!   directory itself), with `uriBaseId` `%SRCROOT%`; a file outside it gets
//!   an absolute `file://` URI;
//! - files that could not be read are tool notifications, and make the
//!   invocation unsuccessful.

use crate::diagnostics::{Code, Diagnostic, Label, Severity};
use crate::span::line_col;
use serde_sarif::sarif;
use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};

/// The key of flowc's entry in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "flowcDiagnostic/v1";
/// The base id relative URIs are given against.
pub const SRCROOT: &str = "%SRCROOT%";

/// One file that was checked.
pub struct Checked<'a> {
    /// The path as given on the command line.
    pub path: &'a Path,
    /// Its text.
    pub source: &'a str,
    /// What checking it found.
    pub diagnostics: &'a [Diagnostic],
}

/// One file that could not be checked, and why.
pub struct Unreadable<'a> {
    /// The path as given on the command line.
    pub path: &'a Path,
    /// Why it could not be read.
    pub reason: String,
}

/// The whole log, as pretty-printed JSON.
pub fn render(checked: &[Checked], unreadable: &[Unreadable], root: &Path, cwd: &Path) -> String {
    let log = log(checked, unreadable, root, cwd);
    serde_json::to_string_pretty(&log).unwrap_or_default()
}

/// The SARIF log. `root` is the directory URIs are relative to (see
/// [`repository_root`]); relative paths are taken from `cwd`.
pub fn log(
    checked: &[Checked],
    unreadable: &[Unreadable],
    root: &Path,
    cwd: &Path,
) -> sarif::Sarif {
    let artifacts: Vec<sarif::Artifact> = checked
        .iter()
        .map(|c| {
            sarif::Artifact::builder()
                .location(location_of(c.path, root, cwd, None))
                .length(i64::try_from(c.source.len()).unwrap_or(i64::MAX))
                .build()
        })
        .collect();
    let mut results = Vec::new();
    for (index, c) in checked.iter().enumerate() {
        let file = location_of(c.path, root, cwd, i64::try_from(index).ok());
        let mut seen: HashMap<String, usize> = HashMap::new();
        for d in c.diagnostics {
            results.push(result(d, c.source, &file, &mut seen));
        }
    }
    let notifications: Vec<sarif::Notification> = unreadable
        .iter()
        .map(|u| {
            sarif::Notification::builder()
                .level(serde_json::json!("error"))
                .message(text(u.reason.clone()))
                .locations(vec![
                    sarif::Location::builder()
                        .physical_location(
                            sarif::PhysicalLocation::builder()
                                .artifact_location(location_of(u.path, root, cwd, None))
                                .build(),
                        )
                        .build(),
                ])
                .build()
        })
        .collect();
    let mut invocation = sarif::Invocation::builder()
        .execution_successful(unreadable.is_empty())
        .build();
    if !notifications.is_empty() {
        invocation.tool_execution_notifications = Some(notifications);
    }
    let driver = sarif::ToolComponent::builder()
        .name("flowc")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(Code::ALL.iter().map(|&c| rule(c)).collect::<Vec<_>>())
        .build();
    let run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .artifacts(artifacts)
        .results(results)
        .invocations(vec![invocation])
        .column_kind(serde_json::json!("unicodeCodePoints"))
        .build();
    sarif::Sarif::builder()
        .schema(sarif::SCHEMA_URL)
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build()
}

fn text(s: impl Into<String>) -> sarif::Message {
    sarif::Message::builder().text(s.into()).build()
}

fn multiformat(s: &str) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder().text(s).build()
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The rule for a code, read from the codes registry.
fn rule(code: Code) -> sarif::ReportingDescriptor {
    let explanation = code.explanation();
    sarif::ReportingDescriptor::builder()
        .id(code.as_str())
        .short_description(multiformat(code.title()))
        .full_description(multiformat(&first_paragraph(explanation)))
        .help(
            sarif::MultiformatMessageString::builder()
                .text(explanation)
                .markdown(explanation)
                .build(),
        )
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(serde_json::json!(level(code.default_severity())))
                .build(),
        )
        .build()
}

/// The first paragraph of an explanation, after its `# CODE: title`
/// heading, on one line.
fn first_paragraph(explanation: &str) -> String {
    explanation
        .split("\n\n")
        .map(str::trim)
        .find(|p| !p.is_empty() && !p.starts_with('#'))
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn result(
    d: &Diagnostic,
    source: &str,
    file: &sarif::ArtifactLocation,
    seen: &mut HashMap<String, usize>,
) -> sarif::Result {
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    for note in &d.notes {
        message.push_str(&format!("\nnote: {note}"));
    }
    let related: Vec<sarif::Location> = d
        .secondary
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut loc = location(l, source, file);
            loc.id = i64::try_from(i + 1).ok();
            loc
        })
        .collect();
    let mut r = sarif::Result::builder()
        .rule_id(d.code.as_str())
        .rule_index(
            Code::ALL
                .iter()
                .position(|c| *c == d.code)
                .and_then(|i| i64::try_from(i).ok())
                .unwrap_or(-1),
        )
        .level(match d.severity {
            Severity::Error => sarif::ResultLevel::Error,
            Severity::Warning => sarif::ResultLevel::Warning,
        })
        .message(text(message))
        .locations(vec![location(&d.primary, source, file)])
        .partial_fingerprints(BTreeMap::from([(
            FINGERPRINT_KEY.to_string(),
            fingerprint(d, source, file, seen),
        )]))
        .build();
    if !related.is_empty() {
        r.related_locations = Some(related);
    }
    r
}

/// A location in the file for a label: its region, and its text as the
/// location's message when it has one.
fn location(label: &Label, source: &str, file: &sarif::ArtifactLocation) -> sarif::Location {
    let start = label
        .span
        .start
        .min(u32::try_from(source.len()).unwrap_or(u32::MAX));
    let end = label
        .span
        .end
        .clamp(start, u32::try_from(source.len()).unwrap_or(u32::MAX));
    let (start_line, start_column) = line_col(source, start);
    let (end_line, end_column) = line_col(source, end);
    let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let region = sarif::Region::builder()
        .start_line(as_i64(start_line))
        .start_column(as_i64(start_column))
        .end_line(as_i64(end_line))
        .end_column(as_i64(end_column))
        .byte_offset(i64::from(start))
        .byte_length(i64::from(end - start))
        .build();
    let physical = sarif::PhysicalLocation::builder()
        .artifact_location(file.clone())
        .region(region)
        .build();
    let mut loc = sarif::Location::builder()
        .physical_location(physical)
        .build();
    if !label.message.is_empty() {
        loc.message = Some(text(label.message.clone()));
    }
    loc
}

/// A digest of what identifies a diagnostic apart from where it is: its
/// code, its file, its message and the text under its primary label (with
/// runs of white space made one space), then `:N` for the N-th diagnostic
/// in the file with the same digest. Adding or removing lines elsewhere
/// leaves it unchanged.
fn fingerprint(
    d: &Diagnostic,
    source: &str,
    file: &sarif::ArtifactLocation,
    seen: &mut HashMap<String, usize>,
) -> String {
    let under = source
        .get(d.primary.span.range())
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let uri = file.uri.as_deref().unwrap_or("");
    let key = format!("{}\0{uri}\0{}\0{under}", d.code, d.message);
    let hash = hex::encode(crate::bytecode::sha256(key.as_bytes()));
    let short = hash.get(..32).unwrap_or(&hash).to_string();
    let n = seen.entry(short.clone()).or_insert(0);
    *n += 1;
    format!("{short}:{n}")
}

/// The artifact location of a path: relative to `root` (with `%SRCROOT%`)
/// when it lies under it, else an absolute `file://` URI.
fn location_of(
    path: &Path,
    root: &Path,
    cwd: &Path,
    index: Option<i64>,
) -> sarif::ArtifactLocation {
    let absolute = normalize(&cwd.join(path));
    let mut loc = match absolute.strip_prefix(normalize(root)) {
        Ok(relative) => sarif::ArtifactLocation::builder()
            .uri(encode_path(relative))
            .uri_base_id(SRCROOT)
            .build(),
        Err(_) => sarif::ArtifactLocation::builder()
            .uri(format!("file://{}", encode_path(&absolute)))
            .build(),
    };
    loc.index = index;
    loc
}

/// `a/./b/../c` as `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A path as a URI path: `/`-separated, with every byte outside the
/// unreserved set percent-encoded.
fn encode_path(path: &Path) -> String {
    let mut out = String::new();
    for (i, part) in path.components().enumerate() {
        match part {
            Component::RootDir => out.push('/'),
            Component::Normal(name) => {
                if i > 0 && !out.ends_with('/') {
                    out.push('/');
                }
                for b in name.to_string_lossy().bytes() {
                    if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                        out.push(char::from(b));
                    } else {
                        out.push_str(&format!("%{b:02X}"));
                    }
                }
            }
            Component::Prefix(p) => {
                out.push_str(&p.as_os_str().to_string_lossy().replace('\\', "/"))
            }
            Component::CurDir | Component::ParentDir => {}
        }
    }
    out
}

/// The directory SARIF URIs are relative to: the nearest of `cwd` and its
/// ancestors that holds `.git` (a directory, or a file in a worktree), else
/// `cwd`.
pub fn repository_root(cwd: &Path) -> PathBuf {
    cwd.ancestors()
        .find(|dir| dir.join(".git").exists())
        .unwrap_or(cwd)
        .to_path_buf()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn uris_are_relative_to_the_root_and_encoded() {
        let root = Path::new("/repo");
        let at = |p: &str, cwd: &str| location_of(Path::new(p), root, Path::new(cwd), None);
        let l = at("examples/a b.flow", "/repo");
        assert_eq!(l.uri.as_deref(), Some("examples/a%20b.flow"));
        assert_eq!(l.uri_base_id.as_deref(), Some(SRCROOT));
        assert_eq!(
            at("./x/../é.flow", "/repo/sub").uri.as_deref(),
            Some("sub/%C3%A9.flow")
        );
        let outside = at("/tmp/f.flow", "/repo");
        assert_eq!(outside.uri.as_deref(), Some("file:///tmp/f.flow"));
        assert_eq!(outside.uri_base_id, None);
    }

    #[test]
    fn first_paragraph_skips_the_heading() {
        let p = first_paragraph(Code::E0302.explanation());
        assert!(p.starts_with("From the step in the label"), "{p}");
        assert!(!p.contains('\n'));
        for code in Code::ALL {
            assert!(!first_paragraph(code.explanation()).is_empty(), "{code}");
        }
    }
}
