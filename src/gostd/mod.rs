//! Go standard-library behaviours that gofront must reproduce exactly, because BuildKit (a Go
//! program) shows their results to users or hashes them into LLB: `strconv` quoting and number
//! parsing, `encoding/json`'s output escaping, one `encoding/csv` record (how BuildKit splits `--mount` flags and some options),
//! `path` cleaning and joining, and `time.Duration` parsing and printing. Each function is
//! checked against the rows of Go's own test tables that Rust strings can express.
//!
//! Not for: BuildKit's rules built on top of these (mount keys, `normalizePath`, progress
//! names): those stay with the module that owns the concept and call in here.

pub(crate) mod csv;
pub(crate) mod json;
pub(crate) mod path;
pub(crate) mod strconv;
pub(crate) mod time;
