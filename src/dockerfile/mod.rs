//! Dockerfile text → typed AST with line spans: parser (directives, continuations, heredocs,
//! escape), shell (BuildKit-compatible word lexer and variable expansion), instructions (typed,
//! validated flags).

pub mod ast;
pub mod instructions;
pub mod parser;
pub mod shell;

pub use parser::{parse, parse_trigger, ParseError};
