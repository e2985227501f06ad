#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Hostile files and streams: inputs past their size limit (also endless
//! ones), stdout and stderr that fail or close, `-o` over an input, and
//! catalogues that break the rules. See docs/reliability.md.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

const EXAMPLE: &str = "examples/database_kyc.flow";

fn cmd(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_flowc"));
    c.args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    c
}

/// Waits for a child (reading its piped output) at most 60 s: a command
/// that reads an endless input whole would otherwise hang the test rather
/// than fail it.
fn wait(child: Child) -> Output {
    let id = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &id.to_string()]).status();
            panic!("flowc did not finish within 60 s");
        }
    }
}

fn flowc(args: &[&str]) -> Output {
    wait(
        cmd(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    )
}

/// `flowc ARGS` with its address space limited to 256 MiB (`ulimit -v`),
/// so that reading a large input whole fails instead of passing slowly.
fn flowc_in_256_mib(args: &[&str]) -> Output {
    let mut c = Command::new("sh");
    c.arg("-c")
        .arg("ulimit -v 262144 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_flowc"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    wait(c.spawn().unwrap())
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("flowc-io-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A source of many lines that each make a diagnostic and a token, for
/// output larger than a pipe's buffer.
fn noisy_source(dir: &Path) -> PathBuf {
    let mut src = String::from("flow noisy {\n  plan essential\n");
    for i in 0..4000 {
        src.push_str(&format!("  // comment {i}\n  § \n"));
    }
    src.push_str("  screen a { -> end approved }\n}\n");
    let path = dir.join("noisy.flow");
    std::fs::write(&path, src).unwrap();
    path
}

#[test]
fn a_regular_file_past_its_limit_is_refused_by_size() {
    let dir = temp_dir("large");
    // Sparse: 1.5 GB that takes no disk and must not be read.
    let huge = dir.join("huge.flow");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(1_500_000_000)
        .unwrap();
    // Under a 256 MiB address-space limit: a command that read the file
    // before looking at its size would fail to allocate and abort.
    for args in [
        vec!["check", s(&huge)],
        vec!["build", s(&huge)],
        vec!["test", s(&huge)],
        vec!["run", s(&huge)],
    ] {
        let out = flowc_in_256_mib(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains("is larger than 2 MiB, the limit for a source file"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    // just over the limit, and just at it
    let over = dir.join("over.flow");
    std::fs::File::create(&over)
        .unwrap()
        .set_len(2 * 1024 * 1024 + 1)
        .unwrap();
    assert_eq!(flowc(&["check", s(&over)]).status.code(), Some(2));
    let at = dir.join("at.flow");
    std::fs::File::create(&at)
        .unwrap()
        .set_len(2 * 1024 * 1024)
        .unwrap();
    // read, then rejected as a flow (NUL bytes are stray characters)
    assert_eq!(flowc(&["check", s(&at)]).status.code(), Some(1));
    // a module past 16 MiB, a scenario and a catalogue past 4 MiB
    let module = dir.join("huge.flowbc");
    std::fs::File::create(&module)
        .unwrap()
        .set_len(17 * 1024 * 1024)
        .unwrap();
    let out = flowc(&["run", s(&module)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("16 MiB, the limit for a module"));
    let out = flowc(&["run", EXAMPLE, "--scenario", s(&huge)]);
    assert!(stderr(&out).contains("4 MiB, the limit for a scenario"));
    assert_eq!(out.status.code(), Some(2));
    let out = flowc(&["--plans", s(&huge), "check", EXAMPLE]);
    assert!(stderr(&out).contains("4 MiB, the limit for a catalogue"));
    assert_eq!(out.status.code(), Some(2));
}

#[cfg(target_os = "linux")]
#[test]
fn endless_inputs_are_refused_at_their_limit() {
    for args in [
        vec!["check", "/dev/zero"],
        vec!["build", "/dev/zero"],
        vec!["test", "/dev/zero"],
        vec!["run", "/dev/zero"],
        vec!["run", EXAMPLE, "--scenario", "/dev/zero"],
        vec!["--plans", "/dev/zero", "check", EXAMPLE],
    ] {
        let out = flowc(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains("is larger than"), "{args:?}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn an_endless_fifo_is_refused_at_the_limit() {
    let dir = temp_dir("fifo");
    let fifo = dir.join("in.flow");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let writer_path = fifo.clone();
    // Writes until flowc closes its end.
    let writer = std::thread::spawn(move || {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(&writer_path)
            .unwrap();
        let chunk = vec![b' '; 64 * 1024];
        while f.write_all(&chunk).is_ok() {}
    });
    let out = flowc(&["check", s(&fifo)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("2 MiB, the limit for a source file"));
    writer.join().unwrap();
}

#[cfg(target_os = "linux")]
fn with_full(args: &[&str], stdout_full: bool) -> Output {
    let full = || Stdio::from(std::fs::File::create("/dev/full").unwrap());
    let mut c = cmd(args);
    if stdout_full {
        c.stdout(full()).stderr(Stdio::piped());
    } else {
        c.stdout(Stdio::piped()).stderr(full());
    }
    wait(c.spawn().unwrap())
}

#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_to_stdout_or_stderr_exits_2() {
    let bad = "tests/cases/syntax/stray_chars.flow";
    for args in [
        vec!["check", "--format", "json", bad],
        vec!["build", "--emit", "tokens", EXAMPLE],
        vec!["run", EXAMPLE],
        vec!["test", EXAMPLE],
        vec!["explain", "E0001"],
        vec!["--help"],
    ] {
        let out = with_full(&args, true);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains("error: cannot write to standard output"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    // stderr full: exit 2, not a panic (101)
    for args in [vec!["check", bad], vec!["check", "no/such.flow"]] {
        let out = with_full(&args, false);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn a_closed_pipe_is_quiet() {
    let dir = temp_dir("pipe");
    let noisy = noisy_source(&dir);
    // stdout closed before flowc writes its tokens (far more than a pipe
    // holds): no message, the command's own exit code
    let mut child = cmd(&["build", "--emit", "tokens", s(&noisy)])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = wait(child);
    assert_eq!(out.status.code(), Some(1));
    // stderr closed before the diagnostics: exit 1 for the errors, where
    // `eprint!` used to panic (101)
    let mut child = cmd(&["check", s(&noisy)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let out = wait(child);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    // both kept open: the same commands print
    let out = flowc(&["build", "--emit", "tokens", s(&noisy)]);
    assert!(out.stdout.len() > 100_000);
}

#[test]
fn build_writes_atomically_and_never_over_an_input() {
    let dir = temp_dir("build");
    let src = dir.join("x.flow");
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join(EXAMPLE), &src).unwrap();
    let original = std::fs::read(&src).unwrap();
    let hard = dir.join("hard.flow");
    std::fs::hard_link(&src, &hard).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&src, dir.join("soft.flow")).unwrap();
    let dotted = format!("{}/./sub/../x.flow", s(&dir));
    std::fs::create_dir(dir.join("sub")).unwrap();
    let mut outs = vec![s(&src).to_string(), s(&hard).to_string(), dotted];
    if cfg!(unix) {
        outs.push(s(&dir.join("soft.flow")).to_string());
    }
    for out_path in &outs {
        let out = flowc(&["build", s(&src), "-o", out_path]);
        assert_eq!(out.status.code(), Some(2), "{out_path}");
        assert!(
            stderr(&out).contains("is an input of this build"),
            "{out_path}"
        );
        assert_eq!(std::fs::read(&src).unwrap(), original, "{out_path}");
    }
    // A source named `.flowbc` would be its own default output.
    let odd = dir.join("odd.flowbc");
    std::fs::copy(&src, &odd).unwrap();
    let out = flowc(&["build", s(&odd)]);
    assert_eq!(out.status.code(), Some(2));
    // The catalogue is an input too.
    let plans = dir.join("plans.toml");
    std::fs::write(
        &plans,
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog/default.toml"))
            .unwrap()
            .split("[[solution]]")
            .next()
            .unwrap(),
    )
    .unwrap();
    let out = flowc(&["--plans", s(&plans), "build", s(&src), "-o", s(&plans)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    // A good build: the module is there, and no temporary file is left.
    let module = dir.join("x.flowbc");
    let out = flowc(&["build", s(&src)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(std::fs::read(&module).unwrap().starts_with(b"FLBC"));
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // A folder that does not exist: exit 2, nothing written.
    let out = flowc(&["build", s(&src), "-o", s(&dir.join("no/such/x.flowbc"))]);
    assert_eq!(out.status.code(), Some(2));
}

/// A copy of the built-in catalogue in a fresh folder, changed by `edit`.
fn catalogue(name: &str, edit: impl FnOnce(String) -> String) -> (PathBuf, PathBuf) {
    let dir = temp_dir(name);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir(dir.join("solutions")).unwrap();
    for entry in std::fs::read_dir(root.join("catalog/solutions")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.join("solutions").join(path.file_name().unwrap())).unwrap();
    }
    let toml = edit(std::fs::read_to_string(root.join("catalog/default.toml")).unwrap());
    let path = dir.join("plans.toml");
    std::fs::write(&path, toml).unwrap();
    (dir, path)
}

#[test]
fn catalogue_faults_are_reported_at_their_line_and_column() {
    let (_, path) = catalogue("dup", |t| {
        t + "\n[[plan]]\nname = \"growth\"\nstatements = []\n"
    });
    let out = flowc(&["--plans", s(&path), "check", EXAMPLE]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let lines = std::fs::read_to_string(&path).unwrap().lines().count();
    let want = format!(
        "{}:{}:8: plan `growth` is listed twice (first at ",
        s(&path),
        lines - 1
    );
    assert!(err.contains(&want), "{err}");
}

#[cfg(unix)]
#[test]
fn solution_paths_may_not_leave_the_catalogue_folder() {
    for (name, path) in [
        ("dotdot", "../outside.flow"),
        ("absolute", "/etc/passwd"),
        ("inner", "solutions/../../outside.flow"),
    ] {
        let (_, toml) = catalogue(name, |t| t.replace("solutions/phone_email.flow", path));
        let out = flowc(&["--plans", s(&toml), "check", EXAMPLE]);
        assert_eq!(out.status.code(), Some(2), "{path}");
        assert!(
            stderr(&out).contains("must stay inside the catalogue's folder"),
            "{path}"
        );
    }
    // a symlink inside the folder that leads out of it
    let (dir, toml) = catalogue("symlink", |t| t);
    let outside = temp_dir("symlink-target").join("x.flow");
    std::fs::copy(dir.join("solutions/phone_email.flow"), &outside).unwrap();
    std::fs::remove_file(dir.join("solutions/phone_email.flow")).unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("solutions/phone_email.flow")).unwrap();
    let out = flowc(&["--plans", s(&toml), "check", EXAMPLE]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("leads out of the catalogue's folder"),
        "{}",
        stderr(&out)
    );
    // the same catalogue with the file in place loads
    std::fs::remove_file(dir.join("solutions/phone_email.flow")).unwrap();
    std::fs::copy(&outside, dir.join("solutions/phone_email.flow")).unwrap();
    let out = flowc(&["--plans", s(&toml), "check", EXAMPLE]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn cr_only_line_endings_are_line_breaks() {
    let dir = temp_dir("cr");
    // Every line ends in a lone `\r`: the first comment must end at its
    // line, and the fault on line 4 is reported there.
    let src = "// a flow saved with CR line endings\rflow cr {\r  plan essential\r  screen a { -> nowhere }\r}\r";
    let path = dir.join("cr.flow");
    std::fs::write(&path, src).unwrap();
    let out = flowc(&["check", "--format", "json", s(&path)]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let v: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(v["code"], "E0101", "{stdout}");
    assert_eq!(
        (v["line"].as_u64(), v["column"].as_u64()),
        (Some(4), Some(17))
    );
}
