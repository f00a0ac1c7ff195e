//! Dockerfile text → typed AST with line spans, in BuildKit's layers: `parser` (the syntactic
//! layer: directives, continuations, heredocs, escape → a node per instruction), `instructions`
//! (nodes → typed commands, flags validated with BuildKit's error texts), `shell` (the
//! BuildKit-compatible word lexer and variable expansion), `ast` (the typed result every later
//! stage reads). [`parse`] and [`parse_trigger`] run the first two layers in order; the layers
//! never call each other backwards.
//!
//! Not for: expansion of instruction values (the converter does it with `shell`), stages
//! beyond grouping commands under their FROM, or anything about LLB.

pub mod ast;
mod error;
pub(crate) mod instructions;
pub(crate) mod parser;
pub mod shell;

pub use error::ParseError;

/// Parses a whole Dockerfile (bytes as read from the context; BOM stripped; CRLF handled).
pub fn parse(source: &str) -> Result<ast::Dockerfile, ParseError> {
    if source.is_empty() {
        return Err(ParseError {
            message: "the Dockerfile cannot be empty".into(),
            span: None,
        });
    }
    let parsed = parser::parse_nodes(source)?;
    instructions::build(parsed)
}

/// Parses one ONBUILD trigger (an image config `OnBuild` entry) into a command, the way BuildKit
/// does when a child stage inherits it: a fresh parse (default escape), exactly one instruction,
/// and not a FROM. Spans are relative to the trigger text.
pub fn parse_trigger(trigger: &str) -> Result<ast::Command, ParseError> {
    let parsed = parser::parse_nodes(trigger)?;
    let [node] = parsed.nodes.as_slice() else {
        return Err(ParseError {
            message: "onbuild trigger should be a single expression".into(),
            span: None,
        });
    };
    instructions::build_command(node)
}
