//! QR codes of click-to-chat links, as SVG and as a PNG data URL. Pure computation: the
//! matrix and its SVG come from `qrcode`, the PNG is written with `png`.

use base64::Engine as _;
use qrcode::render::svg;
use qrcode::{Color, EcLevel, QrCode};

/// Pixels per module in the PNG.
const PNG_SCALE: usize = 8;
/// Light modules around the code, as the QR standard asks for.
const QUIET_ZONE: usize = 4;
/// Smallest SVG side, in user units.
const SVG_MIN_SIDE: u32 = 256;

/// Why a QR code could not be made.
#[derive(Debug, thiserror::Error)]
pub enum QrError {
    #[error("the link is too long for a QR code; shorten the text")]
    TooLong,
    #[error("the QR code's PNG could not be written: {0}")]
    Png(String),
}

/// The code of `data` at medium error correction (15% of it may be smudged).
fn code(data: &str) -> Result<QrCode, QrError> {
    QrCode::with_error_correction_level(data, EcLevel::M).map_err(|_| QrError::TooLong)
}

/// Checks that `data` fits in a QR code.
pub fn fits(data: &str) -> Result<(), QrError> {
    code(data).map(|_| ())
}

/// The QR code of `data` as an SVG document, black on white, with its quiet zone.
pub fn svg(data: &str) -> Result<String, QrError> {
    Ok(code(data)?
        .render::<svg::Color>()
        .min_dimensions(SVG_MIN_SIDE, SVG_MIN_SIDE)
        .quiet_zone(true)
        .build())
}

/// The QR code of `data` as a `data:image/png;base64,…` URL: 8-bit greyscale, 8 pixels a
/// module, with its quiet zone.
pub fn png_data_url(data: &str) -> Result<String, QrError> {
    let code = code(data)?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET_ZONE) * PNG_SCALE;
    let mut pixels = vec![0xffu8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color != Color::Dark {
            continue;
        }
        let (mx, my) = (i % modules + QUIET_ZONE, i / modules + QUIET_ZONE);
        for y in my * PNG_SCALE..(my + 1) * PNG_SCALE {
            pixels[y * side + mx * PNG_SCALE..y * side + (mx + 1) * PNG_SCALE].fill(0);
        }
    }
    let side_px = u32::try_from(side).map_err(|e| QrError::Png(e.to_string()))?;
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, side_px, side_px);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let png_error = |e: png::EncodingError| QrError::Png(e.to_string());
        let mut writer = encoder.write_header().map_err(png_error)?;
        writer.write_image_data(&pixels).map_err(png_error)?;
        writer.finish().map_err(png_error)?;
    }
    Ok(format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_renders_as_svg_and_png() {
        let url = "https://wa.me/14155238886?text=Hello%20%5Bref%3Aweb%5D";
        let svg = svg(url).unwrap();
        assert!(svg.contains("<svg") && svg.ends_with("</svg>"));
        assert!(png_data_url(url)
            .unwrap()
            .starts_with("data:image/png;base64,iVBORw0KGgo"));
    }

    #[test]
    fn too_much_data_is_refused() {
        assert!(matches!(fits(&"%E2".repeat(1500)), Err(QrError::TooLong)));
    }
}
