//! The control-socket request decoder on arbitrary lines, as the resident reads them.
#![no_main]

/// The request type the resident decodes (one line to change if the module moves).
type Envelope = outage_core::protocol::RequestEnvelope;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(envelope) = serde_json::from_slice::<Envelope>(data) {
        // What decodes must encode again (the client sends what the server reads).
        let _ = serde_json::to_vec(&envelope);
    }
});
