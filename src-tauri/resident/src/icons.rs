//! The tray icons' pixels: the PNGs under `icons/tray/`, decoded once into RGBA.

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
        assert_eq!(seen, 12, "six states, light and dark");
    }
}
