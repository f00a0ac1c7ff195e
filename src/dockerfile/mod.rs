//! Dockerfile text → typed AST with line spans: parser (directives, continuations, heredocs,
//! escape), shell (BuildKit-compatible word lexer and variable expansion), instructions (typed,
//! validated flags).

pub mod ast;
