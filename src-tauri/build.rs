//! Build script: lets Tauri generate its context (config, capabilities, embedded UI).
fn main() {
    tauri_build::build();
}
