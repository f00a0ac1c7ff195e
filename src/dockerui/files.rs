//! Files gofront reads from a build context itself (the Go module files the rewrites are
//! planned from): their container, and the limits of one read, shared by the gateway (which
//! reads a filtered transfer with ReadDir/ReadFile) and the CLI (which walks a directory), so
//! both stop at the same kind of limit with the same reason.
//!
//! Not for: the reading itself (gateway, CLI) or what the files mean (`crate::golang`).

use std::collections::BTreeMap;

/// Files read from a context: context-relative `/`-separated path → bytes.
pub type ContextFiles = BTreeMap<String, Vec<u8>>;

/// At most this many bytes of files are read.
pub const MAX_BYTES: u64 = 8 << 20;

/// Of a Go source file only its head is read (the package clause and imports).
pub const SOURCE_HEAD_BYTES: u64 = 8 << 10;

/// At most this many Go source file heads are read; the rest are left out (what they give is
/// an optimisation, never needed for correctness).
pub const MAX_SOURCE_FILES: usize = 4000;

/// How much of a context file a reader takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Take {
    /// Not read.
    Skip,
    /// The whole file, counted against [`MAX_BYTES`] (an overrun fails the read).
    Whole,
    /// At most [`SOURCE_HEAD_BYTES`], for at most [`MAX_SOURCE_FILES`] files (the rest are
    /// skipped without failing the read).
    Head,
}

/// Limits on one read of context files (bytes read, directory entries visited).
#[derive(Debug)]
pub struct ReadBudget {
    bytes: u64,
    entries: usize,
    max_entries: usize,
    heads: usize,
}

impl ReadBudget {
    /// A budget of [`MAX_BYTES`] and `max_entries` directory entries.
    pub fn new(max_entries: usize) -> ReadBudget {
        ReadBudget {
            bytes: 0,
            entries: 0,
            max_entries,
            heads: 0,
        }
    }

    /// Counts one directory entry; `Err` = over the limit, with the reason.
    pub fn take_entry(&mut self) -> Result<(), String> {
        self.entries += 1;
        if self.entries > self.max_entries {
            return Err(format!(
                "the build context has more than {} entries on the way to its Go module files: not read",
                self.max_entries
            ));
        }
        Ok(())
    }

    /// Counts one file head; false once [`MAX_SOURCE_FILES`] were taken.
    pub fn take_head(&mut self) -> bool {
        self.heads += 1;
        self.heads <= MAX_SOURCE_FILES
    }

    /// Counts `size` bytes of a file; `Err` = over [`MAX_BYTES`], with the reason.
    pub fn take_bytes(&mut self, size: u64) -> Result<(), String> {
        self.bytes = self.bytes.saturating_add(size);
        if self.bytes > MAX_BYTES {
            return Err(format!(
                "the Go module files of the build context exceed {} MiB: not read",
                MAX_BYTES >> 20
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_many_bytes_or_entries_give_a_reason() {
        let mut budget = ReadBudget::new(2);
        assert!(budget.take_bytes(MAX_BYTES).is_ok());
        let err = budget.take_bytes(1).unwrap_err();
        assert!(err.contains("exceed 8 MiB"), "{err}");
        assert!(budget.take_entry().is_ok() && budget.take_entry().is_ok());
        let err = budget.take_entry().unwrap_err();
        assert!(err.contains("more than 2 entries"), "{err}");
    }
}
