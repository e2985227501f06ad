#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `flowc check` and `flowc build` exit codes and output streams.

use std::process::Command;

fn flowc(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_flowc"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn check_exit_codes() {
    assert_eq!(
        flowc(&["check", "examples/database_kyc.flow"])
            .status
            .code(),
        Some(0)
    );
    let bad = flowc(&["check", "tests/cases/syntax/two_errors.flow"]);
    assert_eq!(bad.status.code(), Some(1));
    let stderr = String::from_utf8(bad.stderr).unwrap();
    assert_eq!(stderr.matches("error[E0001]").count(), 2, "{stderr}");
    assert!(!stderr.contains('\x1b'));
    assert_eq!(
        flowc(&["check", "tests/cases/syntax/does_not_exist.flow"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(flowc(&["check"]).status.code(), Some(2));
    assert_eq!(
        flowc(&["check", "--format", "xml", "x.flow"]).status.code(),
        Some(2)
    );
}

#[test]
fn check_json_is_one_object_per_line_on_stdout() {
    let out = flowc(&[
        "check",
        "--format",
        "json",
        "tests/cases/syntax/stray_chars.flow",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<_> = stdout.lines().collect();
    // three stray characters, and the checker runs on what parsed: step
    // `b` is never reached (W0301)
    assert_eq!(lines.len(), 4);
    let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(v["code"], "E0002");
    assert_eq!(v["severity"], "error");
    assert_eq!(
        (v["line"].as_u64(), v["column"].as_u64()),
        (Some(4), Some(27))
    );
    // byte offsets: `§` is two bytes
    assert_eq!(v["end"].as_u64().unwrap() - v["start"].as_u64().unwrap(), 2);
    for key in ["message", "file", "labels", "help", "notes"] {
        assert!(v.get(key).is_some(), "{key}");
    }
}

#[test]
fn build_emits_tokens_and_ast() {
    let out = flowc(&[
        "build",
        "tests/cases/syntax/use_solution.flow",
        "--emit",
        "tokens",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("56..60 `flow`")
    );
    let out = flowc(&[
        "build",
        "tests/cases/syntax/use_solution.flow",
        "--emit",
        "ast",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let ast: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ast["flow"]["name"]["node"], "quick");
}

#[test]
fn explain_prints_every_code_and_rejects_unknown_ones() {
    for code in flowc::unstable::diagnostics::Code::ALL {
        let out = flowc(&["explain", code.as_str()]);
        assert_eq!(out.status.code(), Some(0), "{code}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.starts_with(&format!("# {code}")), "{code}: {text}");
    }
    // case does not matter
    assert_eq!(flowc(&["explain", "e0303"]).status.code(), Some(0));
    let out = flowc(&["explain", "E9999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("E9999"));
}

#[test]
fn deny_warnings_turns_a_warning_into_a_failure() {
    let dir = std::env::temp_dir().join(format!("flowc-cli-deny-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("w.flow");
    std::fs::write(
        &path,
        "flow w {\n  plan essential\n  screen a { -> end approved }\n  screen b { -> end declined }\n}\n",
    )
    .unwrap();
    let p = path.to_str().unwrap();
    let warn = flowc(&["check", p]);
    assert_eq!(warn.status.code(), Some(0));
    assert!(
        String::from_utf8(warn.stderr)
            .unwrap()
            .contains("warning[W0301]")
    );
    let denied = flowc(&["check", "--deny", "warnings", p]);
    assert_eq!(denied.status.code(), Some(1));
    assert!(
        String::from_utf8(denied.stderr)
            .unwrap()
            .contains("error[W0301]")
    );
}

#[test]
fn plans_file_replaces_the_builtin_catalogue() {
    let dir = std::env::temp_dir().join(format!("flowc-cli-plans-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("solutions")).unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    for s in ["gov_id_selfie", "database_kyc", "phone_email"] {
        std::fs::copy(
            format!("{root}/catalog/solutions/{s}.flow"),
            dir.join(format!("solutions/{s}.flow")),
        )
        .unwrap();
    }
    // The same catalogue, but essential allows only 3 steps.
    let toml = std::fs::read_to_string(format!("{root}/catalog/default.toml"))
        .unwrap()
        .replace("max_steps = 20", "max_steps = 3");
    let plans = dir.join("tight.toml");
    std::fs::write(&plans, toml).unwrap();
    let plans = plans.to_str().unwrap();
    assert_eq!(
        flowc(&["check", "examples/database_kyc.flow"])
            .status
            .code(),
        Some(0)
    );
    let out = flowc(&["check", "--plans", plans, "examples/database_kyc.flow"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("error[E0401]"), "{stderr}");
    // a catalogue that cannot be loaded is a usage error
    let missing = flowc(&[
        "check",
        "--plans",
        "no/such.toml",
        "examples/database_kyc.flow",
    ]);
    assert_eq!(missing.status.code(), Some(2));
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "capture_kinds = []\nplan = 3\n").unwrap();
    let out = flowc(&[
        "check",
        "--plans",
        bad.to_str().unwrap(),
        "examples/database_kyc.flow",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

/// The long and short option names in a piece of text: `--deny`, `-o`.
fn flags(text: &str) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts =
            chars[i] == '-' && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '-'));
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && chars[j] == '-' {
            j += 1;
        }
        let dashes = j - i;
        let name_start = j;
        while j < chars.len() && (chars[j].is_ascii_lowercase() || chars[j] == '-') {
            j += 1;
        }
        let name: String = chars[name_start..j].iter().collect();
        let whole = (dashes == 2 && name.len() > 1) || (dashes == 1 && name.len() == 1);
        if whole && !chars.get(j).is_some_and(|c| c.is_alphanumeric()) {
            out.insert(format!("{}{name}", "-".repeat(dashes)));
        }
        i = j.max(i + 1);
    }
    out
}

/// The README's command table: subcommand name to the text of its row.
fn readme_commands() -> Vec<(String, String)> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = readme.split("## Commands").nth(1).unwrap();
    table
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .filter_map(|row| {
            let name = row.strip_prefix("| `flowc ")?.split([' ', '`']).next()?;
            Some((name.to_string(), row.to_string()))
        })
        .collect()
}

/// The options one `--help` text lists, each as its names (`-o`,
/// `--output`), without `--help`/`--version` and the global `--plans`.
fn help_options(help: &str) -> Vec<std::collections::BTreeSet<String>> {
    help.split("Options:")
        .nth(1)
        .unwrap()
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with('-'))
        .map(|l| flags(l.split("  ").next().unwrap().split('<').next().unwrap()))
        // the long help's `- human: ...` lines of possible values name none
        .filter(|names| !names.is_empty())
        .filter(|names| {
            !names
                .iter()
                .any(|n| ["--help", "--version", "--plans"].contains(&n.as_str()))
        })
        .collect()
}

/// README's command table and `flowc --help` list the same subcommands,
/// and each row names exactly the options of that subcommand's `--help`
/// (by its short or long name); `--plans`, global, is in the prose below.
#[test]
fn readme_command_table_matches_the_cli_help() {
    let help = |args: &[&str]| {
        let out = flowc(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let top = help(&["--help"]);
    let listed: Vec<String> = top
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("Options:")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect();
    let rows = readme_commands();
    let documented: Vec<String> = rows.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(
        documented, listed,
        "README's command table vs `flowc --help`"
    );
    assert!(top.contains("--plans"));
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(readme.contains("takes `--plans FILE.toml`"));
    for (name, row) in rows {
        let mentioned = flags(&row);
        let options = help_options(&help(&[&name, "--help"]));
        for names in &options {
            assert!(
                names.iter().any(|n| mentioned.contains(n)),
                "README's row for `{name}` does not mention {names:?}: {row}"
            );
        }
        for flag in &mentioned {
            assert!(
                options.iter().any(|names| names.contains(flag)),
                "README's row for `{name}` names `{flag}`, which `flowc {name} --help` does not list"
            );
        }
    }
}

#[test]
fn flags_are_read_from_prose_and_help_lines() {
    let got: Vec<String> = flags("`--format json`, `--deny warnings`; [-o OUT] exit 1-2 `N-1` --emit tokens\\|ast -h, --help").into_iter().collect();
    assert_eq!(got, ["--deny", "--emit", "--format", "--help", "-h", "-o"]);
}

#[test]
fn graph_writes_each_format_and_refuses_flows_with_errors() {
    let out = flowc(&["graph", "examples/database_kyc.flow"]);
    assert_eq!(out.status.code(), Some(0));
    let dot = String::from_utf8(out.stdout).unwrap();
    assert!(dot.starts_with("digraph \"database_kyc\" {"), "{dot}");
    assert!(out.stderr.is_empty());
    let out = flowc(&["graph", "examples/database_kyc.flow", "--format", "mermaid"]);
    let mermaid = String::from_utf8(out.stdout).unwrap();
    assert!(mermaid.lines().nth(1) == Some("flowchart TD"), "{mermaid}");
    // SVG to a file, byte-identical from one process to the next.
    let dir = std::env::temp_dir().join(format!("flowc-graph-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (a, b) = (dir.join("a.svg"), dir.join("b.svg"));
    for path in [&a, &b] {
        let out = flowc(&[
            "graph",
            "examples/growth_watchlist_case.flow",
            "--format",
            "svg",
            "-o",
            path.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0));
        assert!(out.stdout.is_empty());
    }
    let svg = std::fs::read_to_string(&a).unwrap();
    assert_eq!(svg, std::fs::read_to_string(&b).unwrap());
    roxmltree::Document::parse(&svg).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    // Errors: diagnostics on stderr, nothing drawn.
    let bad = flowc(&["graph", "tests/cases/check/E0102_duplicate_step.flow"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(bad.stdout.is_empty());
    let stderr = String::from_utf8(bad.stderr).unwrap();
    assert!(
        stderr.contains("error[E0102]") && stderr.contains("no graph was drawn"),
        "{stderr}"
    );
    // Warnings are shown, and the graph is drawn.
    let warn = flowc(&["graph", "tests/cases/graph/unreachable.flow"]);
    assert_eq!(warn.status.code(), Some(0));
    assert!(
        String::from_utf8(warn.stderr)
            .unwrap()
            .contains("warning[W0301]")
    );
    assert!(!warn.stdout.is_empty());
    assert_eq!(
        flowc(&["graph", "tests/cases/nothing.flow"]).status.code(),
        Some(2)
    );
    assert_eq!(
        flowc(&["graph", "examples/database_kyc.flow", "--format", "png"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn graph_highlight_names_steps() {
    let out = flowc(&[
        "graph",
        "examples/database_kyc.flow",
        "--highlight",
        "collect, verify_db,route,save",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let dot = String::from_utf8(out.stdout).unwrap();
    assert_eq!(dot.matches("penwidth=2.5").count(), 9, "{dot}");
    let bad = flowc(&[
        "graph",
        "examples/database_kyc.flow",
        "--highlight",
        "collect,nowhere",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8(bad.stderr).unwrap();
    assert!(
        stderr.contains("`nowhere`") && stderr.contains("`verify_db`"),
        "{stderr}"
    );
}
