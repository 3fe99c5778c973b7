//! The `metastatus` parser on arbitrary bytes: any input is a snapshot or an error.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = outage_core::formats::metastatus::parse(data);
});
