//! Reads an OCI image tarball (as written by `--output type=oci`) into comparable values: one
//! [`PlatformImage`] per platform manifest with the flattened root filesystem (layers applied in
//! order, whiteouts and opaque directories honoured) and the config fields a Dockerfile frontend
//! decides. Timestamps and layer digests are deliberately left out: they differ between any two
//! builds. Not a general OCI library: only what the suites compare.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};

/// Kind of a filesystem entry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Regular file (also hard links, which carry their target's content).
    File,
    /// Directory.
    Dir,
    /// Symbolic link.
    Symlink,
    /// Character device.
    Char,
    /// Block device.
    Block,
    /// Named pipe.
    Fifo,
}

/// One path of the flattened filesystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Entry kind.
    pub kind: Kind,
    /// Permission bits incl. setuid/setgid/sticky (`& 0o7777`).
    pub mode: u32,
    /// Owner uid.
    pub uid: u64,
    /// Owner gid.
    pub gid: u64,
    /// Content size (files only, else 0).
    pub size: u64,
    /// sha256 of the content (files only).
    pub sha256: Option<String>,
    /// Symlink target, or `hardlink:<path>` for hard links.
    pub link: Option<String>,
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} {:04o} {}:{} size={}",
            self.kind, self.mode, self.uid, self.gid, self.size
        )?;
        if let Some(h) = &self.sha256 {
            write!(f, " sha256={}", h.get(..12).unwrap_or(h))?;
        }
        if let Some(l) = &self.link {
            write!(f, " -> {l}")?;
        }
        Ok(())
    }
}

/// Flattened filesystem: normalized path (no leading `/` or `./`) → entry.
pub type Filesystem = BTreeMap<String, Entry>;

/// One platform's image from an OCI layout.
#[derive(Debug, Clone)]
pub struct PlatformImage {
    /// `os/arch[/variant]` from the config.
    pub platform: String,
    /// Flattened root filesystem.
    pub fs: Filesystem,
    /// Frontend-decided config fields (see [`config_summary`]).
    pub config: BTreeMap<String, Value>,
    /// Number of layers in the manifest.
    pub layers: usize,
    /// The config's `created` time (not compared between sides: it is a wall-clock time unless
    /// `SOURCE_DATE_EPOCH` is in effect).
    pub created: Option<String>,
}

/// Reads every platform image of an OCI tarball, sorted by platform.
pub fn read_oci_tar(path: &Path) -> Result<Vec<PlatformImage>, String> {
    let blobs = read_blobs(path)?;
    let index = blobs
        .get("index.json")
        .ok_or_else(|| format!("{}: no index.json", path.display()))?;
    let index: Value = parse_json(index, "index.json")?;
    let mut images = Vec::new();
    collect_manifests(&blobs, &index, &mut images, 0)?;
    images.sort_by(|a, b| a.platform.cmp(&b.platform));
    if images.is_empty() {
        return Err(format!("{}: no image manifest found", path.display()));
    }
    Ok(images)
}

/// Every member of an OCI tarball as plain bytes (layers gunzipped), keyed by name, except the
/// first `base_layers` layers of each image manifest (those of the FROM image, which the build
/// did not write): what a leak scan searches (the build's layers, configs with their history,
/// manifests, index).
pub fn build_blobs(path: &Path, base_layers: usize) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let blobs = read_blobs(path)?;
    let mut skip = std::collections::BTreeSet::new();
    for data in blobs.values() {
        let Ok(doc) = serde_json::from_slice::<Value>(data) else {
            continue;
        };
        if let Some(layers) = doc["layers"].as_array() {
            for layer in layers.iter().take(base_layers) {
                if let Some(hex) = layer["digest"]
                    .as_str()
                    .and_then(|d| d.strip_prefix("sha256:"))
                {
                    skip.insert(format!("blobs/sha256/{hex}"));
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    for (name, data) in blobs.into_iter().filter(|(n, _)| !skip.contains(n)) {
        let mut plain = Vec::new();
        layer_reader(&data)
            .read_to_end(&mut plain)
            .map_err(|e| format!("{name}: {e}"))?;
        out.insert(name, plain);
    }
    Ok(out)
}

/// The content of `file` (absolute path) in the image of `platform` (`os/arch[/variant]`) of an
/// OCI tarball: the last layer that has it wins (whiteouts are not followed).
pub fn file_content(path: &Path, platform: &str, file: &str) -> Result<Vec<u8>, String> {
    let blobs = read_blobs(path)?;
    let index = parse_json(
        blobs.get("index.json").ok_or("no index.json")?,
        "index.json",
    )?;
    let mut pending = vec![index];
    let want = normalize(file);
    while let Some(doc) = pending.pop() {
        for desc in doc["manifests"].as_array().cloned().unwrap_or_default() {
            let digest = desc["digest"].as_str().ok_or("descriptor without digest")?;
            let child = parse_json(blob(&blobs, digest)?, digest)?;
            if child["manifests"].is_array() {
                pending.push(child);
                continue;
            }
            let Some(config) = child["config"]["digest"].as_str() else {
                continue;
            };
            let config = parse_json(blob(&blobs, config)?, "image config")?;
            let mut found = format!(
                "{}/{}",
                config["os"].as_str().unwrap_or("?"),
                config["architecture"].as_str().unwrap_or("?")
            );
            if let Some(v) = config["variant"].as_str() {
                found.push('/');
                found.push_str(v);
            }
            if found != platform {
                continue;
            }
            let mut content = None;
            for layer in child["layers"].as_array().cloned().unwrap_or_default() {
                let digest = layer["digest"].as_str().ok_or("layer without digest")?;
                let mut archive = tar::Archive::new(layer_reader(blob(&blobs, digest)?));
                for entry in archive.entries().map_err(|e| format!("{digest}: {e}"))? {
                    let mut entry = entry.map_err(|e| format!("{digest}: {e}"))?;
                    let name = entry
                        .path()
                        .map_err(|e| e.to_string())?
                        .to_string_lossy()
                        .into_owned();
                    if normalize(&name) == want && entry.header().entry_type().is_file() {
                        let mut data = Vec::new();
                        entry
                            .read_to_end(&mut data)
                            .map_err(|e| format!("{file}: {e}"))?;
                        content = Some(data);
                    }
                }
            }
            return content.ok_or_else(|| format!("{file} is not in the {platform} image"));
        }
    }
    Err(format!("{}: no {platform} image", path.display()))
}

/// The ELF machine of a program (`x86-64`, `aarch64`, `arm`, ... or the number).
pub fn elf_machine(data: &[u8]) -> Result<String, String> {
    if data.get(..4) != Some(b"\x7fELF".as_slice()) {
        return Err("not an ELF file".into());
    }
    let machine = match data.get(18..20) {
        Some([lo, hi]) => u16::from_le_bytes([*lo, *hi]),
        _ => return Err("truncated ELF header".into()),
    };
    Ok(match machine {
        0x3e => "x86-64".to_string(),
        0xb7 => "aarch64".to_string(),
        0x28 => "arm".to_string(),
        0x03 => "i386".to_string(),
        0xf3 => "riscv".to_string(),
        other => format!("machine {other:#x}"),
    })
}

/// All tar members keyed by name (`index.json`, `blobs/sha256/<hex>`, ...).
fn read_blobs(path: &Path) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let file = File::open(path).map_err(|e| format!("open {}: {e}", path.display()))?;
    let mut archive = tar::Archive::new(file);
    let mut blobs = BTreeMap::new();
    let entries = archive
        .entries()
        .map_err(|e| format!("read {}: {e}", path.display()))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| format!("read {}: {e}", path.display()))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry
            .path()
            .map_err(|e| format!("bad member name: {e}"))?
            .to_string_lossy()
            .trim_start_matches("./")
            .to_string();
        let mut data = Vec::new();
        entry
            .read_to_end(&mut data)
            .map_err(|e| format!("read member {name}: {e}"))?;
        blobs.insert(name, data);
    }
    Ok(blobs)
}

fn parse_json(data: &[u8], what: &str) -> Result<Value, String> {
    serde_json::from_slice(data).map_err(|e| format!("{what}: invalid JSON: {e}"))
}

fn blob<'a>(blobs: &'a BTreeMap<String, Vec<u8>>, digest: &str) -> Result<&'a [u8], String> {
    let hex = digest
        .strip_prefix("sha256:")
        .ok_or_else(|| format!("unsupported digest {digest}"))?;
    blobs
        .get(&format!("blobs/sha256/{hex}"))
        .map(Vec::as_slice)
        .ok_or_else(|| format!("blob {digest} missing from the layout"))
}

/// Walks an index (possibly nested) and reads each image manifest it lists, skipping
/// attestation manifests (`unknown/unknown`).
fn collect_manifests(
    blobs: &BTreeMap<String, Vec<u8>>,
    index: &Value,
    out: &mut Vec<PlatformImage>,
    depth: usize,
) -> Result<(), String> {
    if depth > 4 {
        return Err("index nesting too deep".into());
    }
    let manifests = index["manifests"]
        .as_array()
        .ok_or("index without manifests")?;
    for desc in manifests {
        let digest = desc["digest"].as_str().ok_or("descriptor without digest")?;
        let media = desc["mediaType"].as_str().unwrap_or_default();
        if desc["platform"]["os"].as_str() == Some("unknown") {
            continue;
        }
        let doc = parse_json(blob(blobs, digest)?, digest)?;
        if media.contains("index") || media.contains("manifest.list") {
            collect_manifests(blobs, &doc, out, depth + 1)?;
        } else {
            out.push(read_manifest(blobs, &doc)?);
        }
    }
    Ok(())
}

fn read_manifest(
    blobs: &BTreeMap<String, Vec<u8>>,
    manifest: &Value,
) -> Result<PlatformImage, String> {
    let config_digest = manifest["config"]["digest"]
        .as_str()
        .ok_or("manifest without config")?;
    let config = parse_json(blob(blobs, config_digest)?, "image config")?;
    let layers = manifest["layers"].as_array().cloned().unwrap_or_default();
    let mut fs = Filesystem::new();
    for layer in &layers {
        let digest = layer["digest"].as_str().ok_or("layer without digest")?;
        apply_layer(&mut fs, blob(blobs, digest)?).map_err(|e| format!("layer {digest}: {e}"))?;
    }
    let mut platform = format!(
        "{}/{}",
        config["os"].as_str().unwrap_or("?"),
        config["architecture"].as_str().unwrap_or("?")
    );
    if let Some(v) = config["variant"].as_str() {
        platform.push('/');
        platform.push_str(v);
    }
    Ok(PlatformImage {
        platform,
        fs,
        config: config_summary(&config),
        layers: layers.len(),
        created: config["created"].as_str().map(str::to_string),
    })
}

/// Layer bytes, gunzipped when gzip-compressed.
fn layer_reader(data: &[u8]) -> Box<dyn Read + '_> {
    if data.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::read::GzDecoder::new(data))
    } else {
        Box::new(data)
    }
}

/// Normalizes a tar member path: no `./`, no leading or trailing `/`.
fn normalize(path: &str) -> String {
    path.trim_start_matches("./")
        .trim_start_matches('/')
        .trim_end_matches('/')
        .to_string()
}

/// Removes `path` and everything below it.
fn remove_tree(fs: &mut Filesystem, path: &str) {
    fs.remove(path);
    let prefix = format!("{path}/");
    let below: Vec<String> = fs
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .map(|(k, _)| k.clone())
        .collect();
    for k in below {
        fs.remove(&k);
    }
}

/// Applies one layer: first its whiteouts to the lower state, then its entries in order.
fn apply_layer(fs: &mut Filesystem, data: &[u8]) -> io::Result<()> {
    let mut archive = tar::Archive::new(layer_reader(data));
    let mut whiteouts: Vec<String> = Vec::new();
    let mut opaque: Vec<String> = Vec::new();
    let mut added: Vec<(String, Entry)> = Vec::new();
    for entry in archive.entries()? {
        let mut entry = entry?;
        let path = normalize(&entry.path()?.to_string_lossy());
        let (dir, base) = match path.rsplit_once('/') {
            Some((d, b)) => (d.to_string(), b.to_string()),
            None => (String::new(), path.clone()),
        };
        if base == ".wh..wh..opq" {
            opaque.push(dir);
            continue;
        }
        if let Some(name) = base.strip_prefix(".wh.") {
            whiteouts.push(if dir.is_empty() {
                name.to_string()
            } else {
                format!("{dir}/{name}")
            });
            continue;
        }
        if path.is_empty() {
            continue;
        }
        let header = entry.header().clone();
        let mode = header.mode()? & 0o7777;
        let uid = header.uid()?;
        let gid = header.gid()?;
        let ty = header.entry_type();
        let mut e = Entry {
            kind: Kind::File,
            mode,
            uid,
            gid,
            size: 0,
            sha256: None,
            link: None,
        };
        match ty {
            tar::EntryType::Directory => e.kind = Kind::Dir,
            tar::EntryType::Symlink => {
                e.kind = Kind::Symlink;
                e.link = entry.link_name()?.map(|l| l.to_string_lossy().into_owned());
            }
            tar::EntryType::Link => {
                let target = entry
                    .link_name()?
                    .map(|l| normalize(&l.to_string_lossy()))
                    .unwrap_or_default();
                let content = added
                    .iter()
                    .rev()
                    .find(|(p, _)| *p == target)
                    .map(|(_, e)| e.clone())
                    .or_else(|| fs.get(&target).cloned());
                if let Some(t) = content {
                    e.size = t.size;
                    e.sha256 = t.sha256;
                }
                e.link = Some(format!("hardlink:{target}"));
            }
            tar::EntryType::Char => e.kind = Kind::Char,
            tar::EntryType::Block => e.kind = Kind::Block,
            tar::EntryType::Fifo => e.kind = Kind::Fifo,
            _ => {
                let mut hasher = Sha256::new();
                let size = io::copy(&mut entry, &mut hasher)?;
                e.size = size;
                e.sha256 = Some(hex::encode(hasher.finalize()));
            }
        }
        added.push((path, e));
    }
    for dir in opaque {
        let prefix = format!("{dir}/");
        let below: Vec<String> = fs
            .keys()
            .filter(|k| dir.is_empty() || k.starts_with(&prefix))
            .cloned()
            .collect();
        for k in below {
            fs.remove(&k);
        }
    }
    for w in whiteouts {
        remove_tree(fs, &w);
    }
    for (path, e) in added {
        if e.kind != Kind::Dir {
            // A non-directory replaces whatever was there, including a whole tree.
            remove_tree(fs, &path);
        }
        fs.insert(path, e);
    }
    Ok(())
}

/// The config fields a Dockerfile frontend decides, keyed `config.Env`, `history`, ... Absent
/// and `null` fields are both left out so that "unset" compares equal however it is encoded.
pub fn config_summary(config: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for key in ["architecture", "os", "variant", "os.version", "author"] {
        insert_present(&mut out, key, &config[key]);
    }
    let cfg = &config["config"];
    for key in [
        "User",
        "ExposedPorts",
        "Env",
        "Entrypoint",
        "Cmd",
        "Volumes",
        "WorkingDir",
        "Labels",
        "StopSignal",
        "ArgsEscaped",
        "Healthcheck",
        "OnBuild",
        "Shell",
    ] {
        insert_present(&mut out, &format!("config.{key}"), &cfg[key]);
    }
    let history: Vec<Value> = config["history"]
        .as_array()
        .map(|h| {
            h.iter()
                .map(|item| {
                    let mut m = serde_json::Map::new();
                    for k in ["created_by", "comment", "author"] {
                        if let Some(v) = item.get(k).filter(|v| !v.is_null()) {
                            m.insert(k.to_string(), v.clone());
                        }
                    }
                    let empty = item["empty_layer"].as_bool().unwrap_or(false);
                    m.insert("empty_layer".into(), Value::Bool(empty));
                    Value::Object(m)
                })
                .collect()
        })
        .unwrap_or_default();
    out.insert("history".into(), Value::Array(history));
    out
}

fn insert_present(out: &mut BTreeMap<String, Value>, key: &str, value: &Value) {
    let empty = match value {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::String(s) => s.is_empty(),
        _ => false,
    };
    if !empty {
        out.insert(key.to_string(), value.clone());
    }
}
