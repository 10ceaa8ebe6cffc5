//! The certificate as a PDF: one A4 page with the facts, the verification code and URL, and
//! the QR code that carries the signed facts. Text is set in the configured font, of which
//! krilla embeds the subset of glyphs the page uses (with their Unicode mapping, so that the
//! text can be searched, copied and extracted), so the page prints the same on any machine.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::Document;
use qinxue_core::certificate::{format_date, format_tenths, CertificateFacts};
use qinxue_core::completion::Source;
use qrcode::{Color, EcLevel, QrCode};
use std::sync::Arc;

/// A4 in points.
const WIDTH: f32 = 595.28;
const HEIGHT: f32 = 841.89;
const MARGIN: f32 = 56.0;
/// The QR code's side: 3.5 cm, which a phone reads from a sheet of paper.
const QR_SIDE: f32 = 99.2;

/// Everything the page shows.
#[derive(Debug)]
pub struct Sheet<'a> {
    pub facts: &'a CertificateFacts,
    pub unit_name: &'a str,
    /// The verification page of this certificate.
    pub verify_url: &'a str,
    /// What the QR code holds: the verification URL with the signed payload.
    pub qr_text: &'a str,
    /// The day it was issued (Shanghai).
    pub issued_on: chrono::NaiveDate,
}

/// The body of the page, for the sheet and for tests that read it back.
pub const TITLE: &str = "学时证明";
pub const ISSUER: &str = "福建省机关事业单位工勤人员技术等级岗位考核办公室";
const SUBTITLE: &str = "机关事业单位工勤人员岗位继续教育";

/// Whether the bytes are a font this module can set text in.
pub fn font_has_chinese(bytes: &Arc<Vec<u8>>) -> bool {
    Font::new(Arc::clone(bytes).into(), 0).is_some()
}

/// The width of a line in the font, roughly: Chinese characters are one em, the rest about
/// half of one. Only for centring.
fn width(text: &str, size: f32) -> f32 {
    text.chars()
        .map(|c| if c.is_ascii() { 0.55 } else { 1.0 })
        .sum::<f32>()
        * size
}

fn black() -> Fill {
    Fill::default()
}

/// Renders the page.
pub fn render(font_bytes: Arc<Vec<u8>>, sheet: &Sheet) -> Result<Vec<u8>, String> {
    let font = Font::new(font_bytes.into(), 0).ok_or("the certificate font cannot be read")?;
    let qr = QrCode::with_error_correction_level(sheet.qr_text.as_bytes(), EcLevel::M)
        .map_err(|e| format!("QR code: {e}"))?;
    let f = sheet.facts;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!("{TITLE} {} {}年度", f.name, f.year))
            .language("zh-CN".into()),
    );
    {
        let mut page =
            document.start_page_with(PageSettings::from_wh(WIDTH, HEIGHT).ok_or("page size")?);
        let mut s = page.surface();
        frame(&mut s);
        s.set_fill(Some(black()));
        let centred = |s: &mut Surface, y: f32, size: f32, text: &str| {
            let x = (WIDTH - width(text, size)) / 2.0;
            s.draw_text(
                Point::from_xy(x, y),
                font.clone(),
                size,
                text,
                false,
                TextDirection::Auto,
            );
        };
        centred(&mut s, 130.0, 40.0, TITLE);
        centred(&mut s, 170.0, 15.0, SUBTITLE);
        let statement = format!(
            "兹证明 {} 已完成 {} 年度岗位继续教育培训，累计 {} 学时（要求 {} 学时）。",
            f.name,
            f.year,
            format_tenths(f.tenths.total()),
            f.required_hours
        );
        let left = |s: &mut Surface, x: f32, y: f32, size: f32, text: &str| {
            s.draw_text(
                Point::from_xy(x, y),
                font.clone(),
                size,
                text,
                false,
                TextDirection::Auto,
            );
        };
        left(&mut s, MARGIN + 14.0, 230.0, 13.0, &statement);
        let mut rows: Vec<(String, String)> = vec![
            ("姓名".into(), f.name.clone()),
            ("身份证号".into(), f.id_number.clone()),
            ("工作单位".into(), sheet.unit_name.to_owned()),
            ("培训年度".into(), format!("{} 年度", f.year)),
            ("技能等级".into(), f.grade.label().to_owned()),
            ("要求学时".into(), format!("{} 学时", f.required_hours)),
        ];
        for source in Source::ALL {
            let tenths = f.tenths.get(source);
            if tenths > 0 {
                rows.push((
                    source.label().to_owned(),
                    format!("{} 学时", format_tenths(u32::from(tenths))),
                ));
            }
        }
        rows.push((
            "合计学时".into(),
            format!("{} 学时", format_tenths(f.tenths.total())),
        ));
        rows.push(("完成日期".into(), format_date(f.completed_on)));
        rows.push(("证明编号".into(), f.code.clone()));
        let mut y = 280.0;
        for (label, value) in &rows {
            left(&mut s, MARGIN + 40.0, y, 13.0, label);
            left(&mut s, MARGIN + 150.0, y, 13.0, value);
            y += 26.0;
        }
        let qr_top = HEIGHT - MARGIN - 60.0 - QR_SIDE;
        let qr_left = WIDTH - MARGIN - 24.0 - QR_SIDE;
        draw_qr(&mut s, &qr, qr_left, qr_top);
        s.set_fill(Some(black()));
        let note_y = qr_top + 14.0;
        left(
            &mut s,
            MARGIN + 40.0,
            note_y,
            10.5,
            "核验：扫描右侧二维码，或访问",
        );
        left(&mut s, MARGIN + 40.0, note_y + 16.0, 9.0, sheet.verify_url);
        left(
            &mut s,
            MARGIN + 40.0,
            note_y + 32.0,
            10.5,
            "二维码含本证明内容及数字签名，离线也可核验；内容不符即为无效。",
        );
        left(&mut s, MARGIN + 40.0, note_y + 70.0, 12.0, ISSUER);
        left(
            &mut s,
            MARGIN + 40.0,
            note_y + 90.0,
            12.0,
            &format!("出具日期：{}", format_date(sheet.issued_on)),
        );
        s.finish();
        page.finish();
    }
    document.finish().map_err(|e| format!("PDF: {e:?}"))
}

/// The QR code as an SVG image (for the print page in the browser): one path of the dark
/// modules on a white square with the four-module quiet zone.
pub fn qr_svg(text: &str) -> Result<String, String> {
    let qr = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| format!("QR code: {e}"))?;
    let n = qr.width();
    let mut path = String::new();
    for (i, color) in qr.to_colors().iter().enumerate() {
        if *color == Color::Dark {
            path.push_str(&format!("M{} {}h1v1h-1z", i % n + 4, i / n + 4));
        }
    }
    let side = n + 8;
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" \
         shape-rendering=\"crispEdges\"><rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>\
         <path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

/// A double rule around the page.
fn frame(s: &mut Surface) {
    s.set_fill(None);
    for (inset, width) in [(28.0, 2.5), (36.0, 0.8)] {
        let mut path = PathBuilder::new();
        if let Some(r) = Rect::from_ltrb(inset, inset, WIDTH - inset, HEIGHT - inset) {
            path.push_rect(r);
        }
        if let Some(p) = path.finish() {
            s.set_stroke(Some(Stroke {
                paint: rgb::Color::new(0x8a, 0x1c, 0x1c).into(),
                width,
                ..Stroke::default()
            }));
            s.draw_path(&p);
        }
    }
    s.set_stroke(None);
}

/// The QR code's dark modules as one path, with the quiet zone of four modules left white.
fn draw_qr(s: &mut Surface, qr: &QrCode, left: f32, top: f32) {
    let n = qr.width();
    let module = QR_SIDE / (n + 8) as f32;
    let colors = qr.to_colors();
    let mut path = PathBuilder::new();
    for (i, color) in colors.iter().enumerate() {
        if *color == Color::Dark {
            let (x, y) = ((i % n + 4) as f32, (i / n + 4) as f32);
            if let Some(r) = Rect::from_xywh(left + x * module, top + y * module, module, module) {
                path.push_rect(r);
            }
        }
    }
    if let Some(p) = path.finish() {
        s.set_fill(Some(black()));
        s.draw_path(&p);
    }
}
