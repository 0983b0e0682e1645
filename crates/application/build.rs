//! `RULES_FINGERPRINT`: a hash of the sources that turn a batch item into a contact (the domain
//! crate and the batch use case). It is part of every stored item digest (see `batch.rs`), so
//! a server built from other rules never trusts a digest written under the old ones: the first
//! batch sent again after an upgrade is compared the slow way, and stores new digests.

use std::collections::hash_map::DefaultHasher;
use std::hash::Hasher;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let domain = manifest.join("../domain/src");
    let batch = manifest.join("src/batch.rs");
    println!("cargo:rerun-if-changed={}", domain.display());
    println!("cargo:rerun-if-changed={}", batch.display());
    let mut sources = Vec::new();
    files(&domain, &mut sources);
    sources.push(batch);
    sources.sort();
    // SipHash with fixed keys: the same sources, the same value (for one toolchain; another
    // toolchain may give another value, which only costs one slow comparison).
    let mut hasher = DefaultHasher::new();
    for path in &sources {
        hasher.write(path.strip_prefix(&manifest).unwrap_or(path).to_string_lossy().as_bytes());
        hasher.write(&std::fs::read(path).unwrap_or_default());
    }
    println!("cargo:rustc-env=RULES_FINGERPRINT={:016x}", hasher.finish());
}
