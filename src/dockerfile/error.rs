//! The error of parsing a Dockerfile (syntax or instruction validation), with the lines it is
//! about and BuildKit's `dockerfile parse error on line N: ...` wording.
//!
//! Not for: conversion errors (see `convert`).

use super::ast::{self, Span};

/// A parse error with the Dockerfile lines it concerns.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ParseError {
    /// BuildKit's message text.
    pub message: String,
    /// Lines the error is about, when known.
    pub span: Option<ast::Span>,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.span {
            Some(span) => write!(
                f,
                "dockerfile parse error on line {}: {}",
                span.start, self.message
            ),
            None => f.write_str(&self.message),
        }
    }
}

impl ParseError {
    pub(crate) fn at(message: impl Into<String>, start: usize, end: usize) -> Self {
        ParseError {
            message: message.into(),
            span: Some(Span {
                start,
                end: end.max(start),
            }),
        }
    }
}
