//! Local-directory media store. Files are named by server-generated keys
//! only, so no client-supplied text ever becomes part of a path.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

#[derive(Clone, Debug)]
pub struct MediaStore {
    root: PathBuf,
}

impl MediaStore {
    pub fn open(root: &Path) -> anyhow::Result<MediaStore> {
        std::fs::create_dir_all(root)
            .with_context(|| format!("cannot create media directory {}", root.display()))?;
        Ok(MediaStore {
            root: root.to_path_buf(),
        })
    }

    /// A key is what `new_key` makes: hex/uuid characters, a dot, an
    /// extension. Anything else (a slash, `..`) is refused outright.
    fn is_valid_key(key: &str) -> bool {
        !key.is_empty()
            && key.len() <= 80
            && !key.starts_with('.')
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            && !key.contains("..")
    }

    pub fn new_key(extension: &str) -> String {
        let ext: String = extension
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(8)
            .collect();
        format!(
            "{}.{}",
            uuid::Uuid::now_v7().simple(),
            if ext.is_empty() { "bin" } else { &ext }
        )
    }

    pub fn path_of(&self, key: &str) -> anyhow::Result<PathBuf> {
        if !Self::is_valid_key(key) {
            bail!("invalid media key {key:?}");
        }
        Ok(self.root.join(key))
    }

    /// Writes a new object durably (temp file, fsync, rename).
    pub async fn put(&self, key: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let path = self.path_of(key)?;
        let tmp = self.root.join(format!(".{key}.partial"));
        let data = bytes.to_vec();
        let tmp2 = tmp.clone();
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp2)?;
            f.write_all(&data)?;
            f.sync_all()?;
            Ok(())
        })
        .await??;
        tokio::fs::rename(&tmp, &path)
            .await
            .with_context(|| format!("cannot store media {}", path.display()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_keys_that_could_escape_the_directory() {
        let store = MediaStore {
            root: PathBuf::from("/m"),
        };
        for bad in [
            "../etc/passwd",
            "a/b.webm",
            "",
            ".hidden",
            "a..b",
            "x\\y",
            "%2e%2e",
        ] {
            assert!(store.path_of(bad).is_err(), "{bad}");
        }
        let key = MediaStore::new_key("webm");
        assert_eq!(store.path_of(&key).unwrap(), PathBuf::from("/m").join(&key));
    }
}
