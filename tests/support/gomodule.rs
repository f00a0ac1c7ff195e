//! Synthetic Go modules for the module-proxy checks: a module that no build on this daemon can
//! have seen before (its path carries a per-run nonce), published into an overlay of the test
//! bed's proxy tree, with the `go.sum` lines the go command will check.
//!
//! Why: BuildKit cache mounts are shared by every build on the daemon (the id is the target
//! path), so a real module from the proxy is usually already in `/go/pkg/mod` and "adding one
//! module downloads only that module" could not be observed. A fresh module path can.
//!
//! The proxy layout follows the GOPROXY protocol (`<module>/@v/list`, `.info`, `.mod`, `.zip`);
//! hashes are Go's `dirhash.Hash1` (`h1:`), computed here so no host Go is needed. Module paths
//! must be lower case (no `!` escaping is done).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// A module published into a proxy tree.
#[derive(Debug, Clone)]
pub struct Published {
    /// Module path.
    pub path: String,
    /// Version (`v1.0.0`).
    pub version: String,
    /// `h1:` hash of the module zip.
    pub zip_h1: String,
    /// `h1:` hash of the go.mod.
    pub mod_h1: String,
}

impl Published {
    /// The two `go.sum` lines for this module.
    pub fn go_sum_lines(&self) -> String {
        format!(
            "{p} {v} {z}\n{p} {v}/go.mod {m}\n",
            p = self.path,
            v = self.version,
            z = self.zip_h1,
            m = self.mod_h1
        )
    }

    /// The proxy URL path prefix of this module's files (`/<path>/@v/`).
    pub fn url_prefix(&self) -> String {
        format!("/{}/@v/", self.path)
    }
}

/// A directory that serves like `real` (every top-level entry symlinked) and can take extra
/// modules. Entries of `real` are never written to.
pub fn overlay_tree(real: &Path, dest: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dest).map_err(|e| format!("{}: {e}", dest.display()))?;
    let entries = std::fs::read_dir(real).map_err(|e| {
        format!(
            "cannot read the proxy tree {} ({e}); build it with scripts/testbed/goproxy/build.sh",
            real.display()
        )
    })?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", real.display()))?;
        let link = dest.join(entry.file_name());
        std::os::unix::fs::symlink(entry.path(), &link)
            .map_err(|e| format!("symlink {}: {e}", link.display()))?;
    }
    Ok(())
}

/// Writes module `path@version` with `files` (relative path → content; a `go.mod` is added
/// when missing) into the proxy tree `tree`. The first path element must not exist in the tree
/// as a symlink into the real tree (pick a fresh domain such as `gofront.test`).
pub fn publish(
    tree: &Path,
    path: &str,
    version: &str,
    files: &[(&str, &str)],
) -> Result<Published, String> {
    if path.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(format!(
            "{path}: upper-case module paths are not supported here"
        ));
    }
    let go_mod_default = format!("module {path}\n\ngo 1.22\n");
    let mut all: Vec<(String, String)> = files
        .iter()
        .map(|(n, c)| (n.to_string(), c.to_string()))
        .collect();
    if !all.iter().any(|(n, _)| n == "go.mod") {
        all.push(("go.mod".to_string(), go_mod_default));
    }
    all.sort();
    let go_mod = all
        .iter()
        .find(|(n, _)| n == "go.mod")
        .map(|(_, c)| c.clone())
        .unwrap_or_default();
    let prefix = format!("{path}@{version}/");
    let zip_entries: Vec<(String, &[u8])> = all
        .iter()
        .map(|(n, c)| (format!("{prefix}{n}"), c.as_bytes()))
        .collect();

    let dir: PathBuf = tree.join(path).join("@v");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(dir.join(name), bytes)
            .map_err(|e| format!("{}: {e}", dir.join(name).display()))
    };
    write("list", format!("{version}\n").as_bytes())?;
    write(
        &format!("{version}.info"),
        format!("{{\"Version\":\"{version}\",\"Time\":\"2026-01-01T00:00:00Z\"}}\n").as_bytes(),
    )?;
    write(&format!("{version}.mod"), go_mod.as_bytes())?;
    write(&format!("{version}.zip"), &stored_zip(&zip_entries))?;

    let refs: Vec<(&str, &[u8])> = zip_entries.iter().map(|(n, c)| (n.as_str(), *c)).collect();
    Ok(Published {
        path: path.to_string(),
        version: version.to_string(),
        zip_h1: hash1(&refs),
        mod_h1: hash1(&[("go.mod", go_mod.as_bytes())]),
    })
}

/// Go's `dirhash.Hash1`: sha256 over the lines `<hex sha256>  <name>\n` of the files sorted by
/// name, base64-encoded, prefixed `h1:`.
pub fn hash1(files: &[(&str, &[u8])]) -> String {
    let mut sorted: Vec<&(&str, &[u8])> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let mut summary = String::new();
    for (name, content) in sorted {
        summary.push_str(&format!("{}  {name}\n", hex(&Sha256::digest(content))));
    }
    format!("h1:{}", base64(&Sha256::digest(summary.as_bytes())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A zip archive with every entry stored (method 0), as Go's archive/zip reads it.
fn stored_zip(entries: &[(String, &[u8])]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new();
    let mut central: Vec<u8> = Vec::new();
    for (name, content) in entries {
        let mut crc = flate2::Crc::new();
        crc.update(content);
        let crc = crc.sum();
        let offset = out.len() as u32;
        let size = content.len() as u32;
        let name_len = name.len() as u16;
        // Local file header.
        let _ = out.write_all(&0x0403_4b50u32.to_le_bytes());
        for v in [20u16, 0, 0, 0, 0x21] {
            let _ = out.write_all(&v.to_le_bytes()); // version, flags, method, time, date
        }
        for v in [crc, size, size] {
            let _ = out.write_all(&v.to_le_bytes());
        }
        let _ = out.write_all(&name_len.to_le_bytes());
        let _ = out.write_all(&0u16.to_le_bytes());
        let _ = out.write_all(name.as_bytes());
        let _ = out.write_all(content);
        // Central directory entry.
        let _ = central.write_all(&0x0201_4b50u32.to_le_bytes());
        for v in [20u16, 20, 0, 0, 0, 0x21] {
            let _ = central.write_all(&v.to_le_bytes()); // made by, needed, flags, method, time, date
        }
        for v in [crc, size, size] {
            let _ = central.write_all(&v.to_le_bytes());
        }
        for v in [name_len, 0, 0, 0, 0] {
            let _ = central.write_all(&v.to_le_bytes()); // name, extra, comment, disk, int attrs
        }
        let _ = central.write_all(&0u32.to_le_bytes()); // external attrs
        let _ = central.write_all(&offset.to_le_bytes());
        let _ = central.write_all(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    let cd_size = central.len() as u32;
    out.extend_from_slice(&central);
    let count = entries.len() as u16;
    let _ = out.write_all(&0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, count, count] {
        let _ = out.write_all(&v.to_le_bytes());
    }
    let _ = out.write_all(&cd_size.to_le_bytes());
    let _ = out.write_all(&cd_offset.to_le_bytes());
    let _ = out.write_all(&0u16.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::{base64, hash1};

    #[test]
    fn base64_matches_rfc4648_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn hash1_of_a_go_mod_matches_go_sum() {
        // github.com/google/uuid v1.3.0/go.mod from the test bed's go.sum files.
        let go_mod = b"module github.com/google/uuid\n";
        assert_eq!(
            hash1(&[("go.mod", go_mod)]),
            "h1:TIyPZe4MgqvfeYDBFedMoGGpEw/LqOeaOT+nhxU+yHo="
        );
    }
}
