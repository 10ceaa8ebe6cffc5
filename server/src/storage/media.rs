//! Uploaded course media: cover images and lesson videos.
//!
//! An upload is the raw file as the browser sends it (a [`ByteStream`]), streamed to a
//! temporary file outside the served folders while its size is counted and its SHA-256
//! computed, so a 200 MB video is never held in memory. Its type is judged by its first bytes,
//! not by its name or Content-Type: covers are PNG, JPEG or WebP; SVG is refused because it
//! can carry scripts; videos are MP4 or WebM. An accepted file is renamed to its hash, so a
//! URL always means the same content and can be cached for ever; a refused one is deleted.
//! Files are served at `/uploads/covers/…` and `/uploads/videos/…` (`routes::media`).

use crate::config::MediaConfig;
use crate::error::AppError;
use qinxue_core::admin::human_size;
use qinxue_core::ErrorCode;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// Where uploads are served.
pub const URL_PREFIX: &str = "/uploads";

/// The cover of a course that has none uploaded yet.
pub const DEFAULT_COVER_URL: &str = "/uploads/default-cover.svg";

/// How many leading bytes decide a file's type (WebM names itself within them).
const SNIFF_BYTES: usize = 64;

/// What an upload is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Cover,
    Video,
}

impl MediaKind {
    pub fn folder(self) -> &'static str {
        match self {
            MediaKind::Cover => "covers",
            MediaKind::Video => "videos",
        }
    }

    fn label(self) -> &'static str {
        match self {
            MediaKind::Cover => "封面图片",
            MediaKind::Video => "视频",
        }
    }

    pub fn limit(self, config: &MediaConfig) -> u64 {
        match self {
            MediaKind::Cover => config.max_cover_bytes,
            MediaKind::Video => config.max_video_bytes,
        }
    }

    /// The file extension for a file starting with `head`, or why it is refused.
    fn sniff(self, head: &[u8]) -> Result<&'static str, AppError> {
        match self {
            MediaKind::Cover => {
                if head.starts_with(b"\x89PNG\r\n\x1a\n") {
                    Ok("png")
                } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
                    Ok("jpg")
                } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
                    Ok("webp")
                } else if looks_like_markup(head) {
                    Err(refused(
                        ErrorCode::UnsupportedFileType,
                        "不接受 SVG 等矢量图片（其中可能含有脚本），请另存为 PNG 或 JPEG 格式后再上传"
                            .into(),
                    ))
                } else {
                    Err(refused(
                        ErrorCode::UnsupportedFileType,
                        "封面图片只支持 PNG、JPEG、WebP 格式，这个文件不是其中之一".into(),
                    ))
                }
            }
            MediaKind::Video => {
                // QuickTime (`qt  `) also starts with an ftyp box, but browsers do not play it.
                if head.len() >= 12 && &head[4..8] == b"ftyp" && &head[8..12] != b"qt  " {
                    Ok("mp4")
                } else if head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3])
                    && head.windows(4).any(|w| w == b"webm")
                {
                    Ok("webm")
                } else {
                    Err(refused(
                        ErrorCode::UnsupportedFileType,
                        "视频只支持 MP4 或 WebM 格式，这个文件不是其中之一".into(),
                    ))
                }
            }
        }
    }
}

/// XML or HTML: the first thing after an optional BOM and white space is `<`.
fn looks_like_markup(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    head.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'<')
}

fn refused(code: ErrorCode, message: String) -> AppError {
    AppError::Explained { code, message }
}

fn too_large(kind: MediaKind, limit: u64) -> AppError {
    refused(
        ErrorCode::FileTooLarge,
        format!("{}不能超过 {}", kind.label(), human_size(limit)),
    )
}

fn io_error(e: std::io::Error) -> AppError {
    AppError::Internal(format!("media storage: {e}"))
}

/// An upload as it arrives, chunk by chunk, whatever carries it (the route hands over the
/// request body); the media folder and the services read it without knowing of HTTP.
pub trait ByteStream: Send {
    type Chunk: AsRef<[u8]> + Send;
    /// The next chunk; `None` at the end; [`Interrupted`] when the sender broke off.
    fn next_chunk(
        &mut self,
    ) -> impl Future<Output = Option<Result<Self::Chunk, Interrupted>>> + Send;
}

/// The sender of an upload stopped half-way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

impl From<Interrupted> for AppError {
    fn from(_: Interrupted) -> Self {
        AppError::UploadInterrupted
    }
}

/// A file being written; deleted unless it was kept.
struct Partial {
    path: PathBuf,
    kept: bool,
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Streams an upload into the media folder; answers its URL. `declared_len` is the request's
/// Content-Length, which lets an oversized file be refused before any of it is read.
pub async fn store(
    dir: &Path,
    config: &MediaConfig,
    kind: MediaKind,
    declared_len: Option<u64>,
    mut body: impl ByteStream,
) -> Result<String, AppError> {
    let limit = kind.limit(config);
    if declared_len.is_some_and(|n| n > limit) {
        return Err(too_large(kind, limit));
    }
    let tmp_dir = dir.join("tmp");
    let final_dir = dir.join(kind.folder());
    for d in [&tmp_dir, &final_dir] {
        tokio::fs::create_dir_all(d).await.map_err(io_error)?;
    }
    let (token, _) = crate::auth::session::new_token()?;
    let partial = Partial {
        path: tmp_dir.join(format!("{}.part", &token[..24])),
        kept: false,
    };
    let mut file = tokio::fs::File::create(&partial.path)
        .await
        .map_err(io_error)?;
    let mut hasher = Sha256::new();
    let mut head: Vec<u8> = Vec::with_capacity(SNIFF_BYTES);
    let mut ext: Option<&'static str> = None;
    let mut total: u64 = 0;
    while let Some(chunk) = body.next_chunk().await {
        let chunk = chunk?;
        let data = chunk.as_ref();
        total += data.len() as u64;
        if total > limit {
            return Err(too_large(kind, limit));
        }
        if ext.is_none() {
            let take = (SNIFF_BYTES - head.len()).min(data.len());
            head.extend_from_slice(&data[..take]);
            if head.len() == SNIFF_BYTES {
                // Decided as soon as possible: a wrong file is refused before it is all sent.
                ext = Some(kind.sniff(&head)?);
            }
        }
        hasher.update(data);
        file.write_all(data).await.map_err(io_error)?;
    }
    if total == 0 {
        return Err(AppError::EmptyUpload);
    }
    let ext = match ext {
        Some(ext) => ext,
        None => kind.sniff(&head)?,
    };
    file.sync_all().await.map_err(io_error)?;
    drop(file);
    let name = format!("{}.{ext}", &hex::encode(hasher.finalize())[..32]);
    let mut partial = partial;
    tokio::fs::rename(&partial.path, final_dir.join(&name))
        .await
        .map_err(io_error)?;
    partial.kept = true;
    Ok(format!("{URL_PREFIX}/{}/{name}", kind.folder()))
}

/// How long an upload no course or lesson names is kept: a video uploaded in a lesson form is
/// named only when the lesson is saved.
pub const KEEP_UNUSED: Duration = Duration::from_secs(86_400);

/// Deletes uploaded files that nothing names (`in_use` holds every cover and video URL in
/// the database) and partial files a crash left, once they are older than `keep`; answers
/// how many went. Runs in the background (blocking file calls).
///
/// A file's age is read just before it goes: a file named after `in_use` was read is a new
/// upload, too young to go, and an identical upload that has just replaced an old file (same
/// hash, same name) makes it young again.
pub fn sweep(dir: &Path, in_use: &HashSet<String>, keep: Duration) -> usize {
    let old = |path: &Path| {
        std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > keep)
    };
    let mut removed = 0;
    for folder in [MediaKind::Cover.folder(), MediaKind::Video.folder(), "tmp"] {
        let Ok(entries) = std::fs::read_dir(dir.join(folder)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let url = format!(
                "{URL_PREFIX}/{folder}/{}",
                entry.file_name().to_string_lossy()
            );
            if !in_use.contains(&url) && old(&path) && std::fs::remove_file(&path).is_ok() {
                removed += 1;
            }
        }
    }
    removed
}

/// The length of an MP4 in whole seconds (rounded down), from its movie header (`moov/mvhd`),
/// wherever in the file the `moov` box is; `None` when it cannot be read. Only box headers are
/// read, so a 200 MB file costs a few small reads.
pub fn mp4_duration_secs(path: &Path) -> Option<i64> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    // (start, end) of the boxes to walk: the file, then the moov box's contents.
    let (mut at, mut end) = (0_u64, len);
    let mut in_moov = false;
    while at + 8 <= end {
        file.seek(SeekFrom::Start(at)).ok()?;
        let mut head = [0u8; 16];
        file.read_exact(&mut head[..8]).ok()?;
        let mut size = u64::from(u32::from_be_bytes(head[..4].try_into().ok()?));
        let kind: [u8; 4] = head[4..8].try_into().ok()?;
        let mut header = 8;
        if size == 1 {
            file.read_exact(&mut head[8..16]).ok()?;
            size = u64::from_be_bytes(head[8..16].try_into().ok()?);
            header = 16;
        } else if size == 0 {
            size = end - at;
        }
        if size < header || at + size > end {
            return None;
        }
        match (in_moov, &kind) {
            (false, b"moov") => {
                in_moov = true;
                end = at + size;
                at += header;
                continue;
            }
            (true, b"mvhd") => {
                let mut body = [0u8; 32];
                let version = {
                    file.read_exact(&mut body[..4]).ok()?;
                    body[0]
                };
                let (timescale, duration) = if version == 1 {
                    file.read_exact(&mut body[..28]).ok()?;
                    (
                        u64::from(u32::from_be_bytes(body[16..20].try_into().ok()?)),
                        u64::from_be_bytes(body[20..28].try_into().ok()?),
                    )
                } else {
                    file.read_exact(&mut body[..16]).ok()?;
                    (
                        u64::from(u32::from_be_bytes(body[8..12].try_into().ok()?)),
                        u64::from(u32::from_be_bytes(body[12..16].try_into().ok()?)),
                    )
                };
                return i64::try_from(duration.checked_div(timescale)?).ok();
            }
            _ => at += size,
        }
    }
    None
}

/// The length of an uploaded MP4 video named by its URL, read off the request's thread.
pub async fn video_duration_secs(dir: &Path, url: &str) -> Option<i64> {
    let name = url.strip_prefix(qinxue_core::admin::VIDEO_URL_PREFIX)?;
    if !qinxue_core::admin::is_upload_video_url(url) || !name.ends_with(".mp4") {
        return None;
    }
    let path = dir.join(MediaKind::Video.folder()).join(name);
    tokio::task::spawn_blocking(move || mp4_duration_secs(&path))
        .await
        .ok()
        .flatten()
}

/// Whether an upload URL this server gave (`/uploads/videos/<hash>.mp4`) names a file it
/// holds. The URL's form is checked first (`qinxue_core::admin::is_upload_video_url`), so it
/// cannot leave the folder.
pub async fn video_exists(dir: &Path, url: &str) -> bool {
    match url.strip_prefix(qinxue_core::admin::VIDEO_URL_PREFIX) {
        Some(name) if qinxue_core::admin::is_upload_video_url(url) => {
            tokio::fs::try_exists(dir.join(MediaKind::Video.folder()).join(name))
                .await
                .unwrap_or(false)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sweep_removes_only_old_files_nothing_names() {
        let dir = tempfile::tempdir().unwrap();
        for folder in ["covers", "videos", "tmp"] {
            std::fs::create_dir_all(dir.path().join(folder)).unwrap();
        }
        for file in ["covers/a.png", "covers/b.png", "videos/c.mp4", "tmp/d.part"] {
            std::fs::write(dir.path().join(file), b"x").unwrap();
        }
        let in_use: HashSet<String> = ["/uploads/covers/a.png".to_owned()].into();
        // Nothing is old enough yet.
        assert_eq!(sweep(dir.path(), &in_use, KEEP_UNUSED), 0);
        assert_eq!(sweep(dir.path(), &in_use, Duration::ZERO), 3);
        assert!(dir.path().join("covers/a.png").exists());
        assert!(!dir.path().join("covers/b.png").exists());
        assert!(!dir.path().join("videos/c.mp4").exists());
        assert!(!dir.path().join("tmp/d.part").exists());
    }

    #[test]
    fn an_mp4s_length_is_read_from_its_movie_header() {
        let dir = tempfile::tempdir().unwrap();
        let clip = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../public/media/public-safety-3.mp4");
        assert_eq!(mp4_duration_secs(&clip), Some(46));
        // A version-1 header after the media data, as encoders without faststart write it.
        let mut file = b"\0\0\0\x10ftypisom\0\0\x02\0".to_vec();
        file.extend_from_slice(b"\0\0\0\x10mdat0123456789ab");
        file.truncate(32);
        let mut mvhd = vec![0, 0, 0, 0, b'm', b'v', b'h', b'd', 1, 0, 0, 0];
        mvhd.extend_from_slice(&[0; 16]);
        mvhd.extend_from_slice(&600_u32.to_be_bytes());
        mvhd.extend_from_slice(&(600_u64 * 125 + 599).to_be_bytes());
        let mvhd_len = mvhd.len() as u32;
        mvhd[..4].copy_from_slice(&mvhd_len.to_be_bytes());
        file.extend_from_slice(&(mvhd_len + 8).to_be_bytes());
        file.extend_from_slice(b"moov");
        file.extend_from_slice(&mvhd);
        let path = dir.path().join("late.mp4");
        std::fs::write(&path, &file).unwrap();
        assert_eq!(mp4_duration_secs(&path), Some(125));
        std::fs::write(&path, b"\0\0\0\x10ftypisom\0\0\x02\0").unwrap();
        assert_eq!(mp4_duration_secs(&path), None);
    }

    #[test]
    fn files_are_judged_by_their_first_bytes() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(MediaKind::Cover.sniff(png).unwrap(), "png");
        assert_eq!(
            MediaKind::Cover
                .sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF")
                .unwrap(),
            "jpg"
        );
        assert_eq!(
            MediaKind::Cover.sniff(b"RIFF\x24\0\0\0WEBPVP8 ").unwrap(),
            "webp"
        );
        let svg = MediaKind::Cover
            .sniff(b"\xEF\xBB\xBF  <svg onload=alert(1)>")
            .unwrap_err();
        assert!(svg.body().error.message.contains("SVG"));
        assert!(MediaKind::Cover.sniff(b"GIF89a").is_err());
        assert!(MediaKind::Cover.sniff(png.as_slice()).is_ok());
        assert_eq!(
            MediaKind::Video
                .sniff(b"\0\0\0\x20ftypisom\0\0\x02\0")
                .unwrap(),
            "mp4"
        );
        assert!(MediaKind::Video.sniff(b"\0\0\0\x14ftypqt  ").is_err());
        assert_eq!(
            MediaKind::Video
                .sniff(b"\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01\x42\x82\x84webm")
                .unwrap(),
            "webm"
        );
        assert!(MediaKind::Video.sniff(b"\x1A\x45\xDF\xA3matroska").is_err());
        assert!(MediaKind::Video.sniff(png).is_err());
    }
}
