//! The smallest embedder: compile a flow with the library alone (no CLI, no
//! clap) and print how many diagnostics it produced. `.ci/run` builds this
//! crate and checks that clap is not in its dependency tree.
fn main() {
    let source = "flow tiny { plan essential screen s { -> end approved } }";
    let compiled = flowc::compile_source(source, &flowc::Catalog::builtin());
    println!("{} diagnostics", compiled.diagnostics.len());
}
