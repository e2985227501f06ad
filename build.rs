//! Generates the parser from `grammar/flow.lalrpop`.
fn main() {
    println!("cargo:rerun-if-changed=grammar/flow.lalrpop");
    if let Err(e) = lalrpop::Configuration::new()
        .use_cargo_dir_conventions()
        .set_in_dir("grammar")
        .process()
    {
        eprintln!("lalrpop failed: {e}");
        std::process::exit(1);
    }
}
