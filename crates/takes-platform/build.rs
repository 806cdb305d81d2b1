//! Embeds the demo clips listed in crates/takes-platform/demo/clips/manifest.json
//! so that `takes seed demo` needs neither ffmpeg nor the source tree at run
//! time.

use std::fmt::Write;
use std::path::Path;

fn main() {
    // Read at run time: `env!` would bake in the directory the build script
    // was compiled in, which a cached build script may no longer match.
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&root).join("demo").join("clips");
    let manifest = dir.join("manifest.json");
    println!("cargo:rerun-if-changed={}", manifest.display());
    println!("cargo:rerun-if-changed=demo/content.json");
    println!("cargo:rerun-if-changed=migrations");
    let mut files: Vec<String> = Vec::new();
    if let Ok(text) = std::fs::read_to_string(&manifest) {
        files.push("manifest.json".into());
        let json: serde_json::Value =
            serde_json::from_str(&text).expect("demo/clips/manifest.json is not JSON");
        for clip in json["clips"].as_array().into_iter().flatten() {
            if let Some(file) = clip["file"].as_str() {
                println!("cargo:rerun-if-changed={}", dir.join(file).display());
                files.push(file.to_string());
            }
        }
    }
    let mut out = String::from("pub static FILES: &[(&str, &[u8])] = &[\n");
    for n in &files {
        let _ = writeln!(
            out,
            "    ({n:?}, include_bytes!({:?})),",
            dir.join(n).display().to_string()
        );
    }
    out.push_str("];\n");
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("demo_clips.rs");
    std::fs::write(dest, out).expect("write demo_clips.rs");
}
