//! Keymap and theme TOML files: any text loads into a usable keymap or theme
//! with diagnostics, never a panic.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use takes::config::keymap::Keymap;
use takes::config::theme::{load, ColorDepth, ThemeSource};

fn theme_dir() -> &'static Path {
    static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("takes-fuzz-theme-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("theme dir");
        d
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let mut km = Keymap::defaults();
    let mut diags = Vec::new();
    km.merge(Path::new("keymap.toml"), source, &mut diags);

    // Themes are read from a directory (and may inherit from one another).
    let dir = theme_dir();
    std::fs::write(dir.join("fuzzed.toml"), source).expect("write theme");
    let themes = ThemeSource {
        user_dir: Some(dir.to_path_buf()),
    };
    for depth in [ColorDepth::TrueColor, ColorDepth::Ansi16] {
        let _ = load("fuzzed", &themes, depth);
    }
});
