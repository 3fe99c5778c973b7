//! The `apple_system_status` parser on arbitrary bytes: any input is a snapshot or an error.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = outage_core::formats::apple_system_status::parse(data);
});
