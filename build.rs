//! Carries `--cfg loom` from RUSTFLAGS over to rustdoc.
//!
//! Cargo gives RUSTFLAGS to rustc but not to rustdoc, so without this the doctests of a loom
//! build would be collected as if loom were off and compiled against a library built with it.
//! Cfgs printed here reach both.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_CFG_LOOM").is_some() {
        println!("cargo::rustc-cfg=loom");
    }
}
