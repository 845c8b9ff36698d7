//! Carries `--cfg loom` and `--cfg shuttle` from RUSTFLAGS over to rustdoc.
//!
//! Cargo gives RUSTFLAGS to rustc but not to rustdoc, so without this the doctests of a loom
//! or shuttle build would be collected as if the backend were off and compiled against a
//! library built with it. Cfgs printed here reach both.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    for (variable, cfg) in [("CARGO_CFG_LOOM", "loom"), ("CARGO_CFG_SHUTTLE", "shuttle")] {
        if std::env::var_os(variable).is_some() {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}
