//! Housekeeping of unfinished answer uploads: an upload streams to a
//! `.part` file first, and a server that died mid-upload leaves it behind.

use std::path::PathBuf;

use crate::media::store::MediaStore;

/// Unfinished uploads older than this are leftovers of a crash.
const STALE_PART: std::time::Duration = std::time::Duration::from_secs(3_600);
/// Resumable uploads untouched this long are abandoned: no interview window
/// is left open that long without a byte arriving.
const STALE_RESUMABLE: std::time::Duration = std::time::Duration::from_secs(60 * 86_400);

/// Removes temporary upload files a crashed server left behind; returns how
/// many. Judged by file age, not the platform clock: this is housekeeping
/// of the disk, not of the interview's timeline.
pub fn remove_stale_parts(media: &MediaStore) -> usize {
    let Some(dir) = media
        .path_of(&MediaStore::new_key("part"))
        .ok()
        .and_then(|p| p.parent().map(PathBuf::from))
    else {
        return 0;
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        let limit = match path.extension().and_then(|e| e.to_str()) {
            Some("part") => STALE_PART,
            Some("tus" | "tusmeta") => STALE_RESUMABLE,
            _ => continue,
        };
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > limit);
        if stale && std::fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_old_partial_uploads_are_swept() {
        let dir = tempfile::tempdir().expect("dir");
        let media = MediaStore::open(dir.path()).expect("store");
        let old = dir.path().join(MediaStore::new_key("part"));
        let fresh = dir.path().join(MediaStore::new_key("part"));
        let kept = dir.path().join(MediaStore::new_key("webm"));
        for p in [&old, &fresh, &kept] {
            std::fs::write(p, b"x").expect("write");
        }
        let long_ago = std::time::SystemTime::now() - 2 * STALE_PART;
        for p in [&old, &kept] {
            std::fs::File::options()
                .write(true)
                .open(p)
                .and_then(|f| f.set_modified(long_ago))
                .expect("age");
        }
        assert_eq!(remove_stale_parts(&media), 1);
        assert!(!old.exists() && fresh.exists() && kept.exists());
    }
}
