//! The tray icons' pixels: the PNGs under `icons/tray/`, decoded once into RGBA.

use outage_core::tray::TrayIcon;

macro_rules! icon_png {
    ($name:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../icons/tray/", $name, "-dark.png"))
    };
}

/// Each state's icon, drawn for dark panels (the Linux and Windows defaults) and compiled in.
pub const SOURCES: [(TrayIcon, &[u8]); 7] = [
    (TrayIcon::Operational, icon_png!("operational")),
    (TrayIcon::Degraded, icon_png!("degraded")),
    (TrayIcon::Outage, icon_png!("outage")),
    (TrayIcon::Maintenance, icon_png!("maintenance")),
    (TrayIcon::Unknown, icon_png!("unknown")),
    (TrayIcon::Offline, icon_png!("offline")),
    (TrayIcon::NotSetUp, icon_png!("setup")),
];

/// RGBA8 pixels of a PNG, with its width and height.
pub fn rgba(png_bytes: &[u8]) -> Result<(Vec<u8>, u32, u32), png::DecodingError> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info()?;
    let mut pixels = vec![0; reader.output_buffer_size().unwrap_or(0)];
    let info = reader.next_frame(&mut pixels)?;
    pixels.truncate(info.buffer_size());
    let rgba = match info.color_type {
        png::ColorType::Rgba => pixels,
        png::ColorType::Rgb => pixels.chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect(),
        png::ColorType::GrayscaleAlpha => pixels.chunks_exact(2).flat_map(|p| [p[0], p[0], p[0], p[1]]).collect(),
        _ => pixels.iter().flat_map(|g| [*g, *g, *g, 255]).collect(),
    };
    Ok((rgba, info.width, info.height))
}

/// A template image of RGBA pixels: black, with each pixel's coverage as alpha. The state
/// glyph is cut out of its badge, so it stays visible when only the shape is drawn.
#[cfg_attr(not(any(test, target_os = "macos")), allow(dead_code))]
pub fn template(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .flat_map(|p| {
            // Light pixels (the white glyph on the coloured badge) become holes.
            let luma = (u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000;
            let alpha = if luma > 200 { 0 } else { p[3] };
            [0, 0, 0, alpha]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_tray_icon_decodes_to_square_rgba() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../icons/tray");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let (rgba, w, h) = super::rgba(&std::fs::read(&path).unwrap()).unwrap();
            assert_eq!(w, h, "{}", path.display());
            assert_eq!(rgba.len(), (w * h * 4) as usize, "{}", path.display());
            assert!(rgba.chunks_exact(4).any(|p| p[3] > 0), "{} is blank", path.display());
            seen += 1;
        }
        assert_eq!(seen, 2 * super::SOURCES.len(), "every state, light and dark");
    }

    #[test]
    fn templates_keep_each_state_apart_by_shape_alone() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../icons/tray");
        let mut shapes = std::collections::BTreeMap::new();
        for state in ["operational", "degraded", "outage", "maintenance", "unknown", "offline", "setup"] {
            let (rgba, _, _) = super::rgba(&std::fs::read(dir.join(format!("{state}-dark.png"))).unwrap()).unwrap();
            let template = super::template(&rgba);
            assert!(template.chunks_exact(4).all(|p| p[..3] == [0, 0, 0]), "{state}: only alpha may vary");
            let alpha: Vec<bool> = template.chunks_exact(4).map(|p| p[3] > 127).collect();
            assert!(alpha.iter().any(|a| *a), "{state}: nothing left to draw");
            shapes.insert(alpha, state);
        }
        assert_eq!(shapes.len(), super::SOURCES.len(), "two states would look alike in the macOS menu bar");
    }
}
