use super::format_source;

fn fmt(src: &str) -> String {
    match format_source(src) {
        Ok(s) => s,
        Err(d) => panic!("{d:#?}"),
    }
}

#[test]
fn smoke() {
    let out = fmt("flow f { plan essential screen s { collect a, b -> end approved } }");
    assert_eq!(
        out,
        "flow f {\n  plan essential\n\n  screen s {\n    collect a, b\n    -> end approved\n  }\n}\n"
    );
}
