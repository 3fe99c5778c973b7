//! The config parser on arbitrary text: any input is a config or an error with a line.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = outage_core::config::parse(text, "fuzz.toml");
    }
});
