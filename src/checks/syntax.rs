//! The checks BuildKit runs while parsing, before any conversion, found from the parser's
//! nodes (the keyword and arguments as written, the comments above each instruction):
//! NoEmptyContinuation (from the parser), MaintainerDeprecated, StageNameCasing, FromAsCasing
//! and InvalidDefinitionDescription (per instruction, in file order, up to the instruction
//! that fails to parse: the ones before it were reported, as in `instructions.Parse`), then,
//! when the whole file parsed, ReservedStageName and DuplicateStageName
//! (`validateStageNames`) and ConsistentInstructionCasing (`validateCommandCasing`).
//!
//! Also the comment lines above each instruction (for per-instruction `# check=`); the
//! `check` directive itself is read by `config::check_directive`, the way BuildKit's linter
//! reads it.
//!
//! Not for: rules that need values (args, env, images): the converter finds those.

use std::collections::BTreeMap;

use crate::dockerfile::parser::{parse_nodes, Node};

use super::report::{Finding, Scope};
use super::rules::{message, Rule};

/// What the parser layer tells the checks about one Dockerfile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyntaxChecks {
    /// Findings of the parse-time rules, in BuildKit's order.
    pub findings: Vec<Finding>,
    /// Comment lines above each instruction, by its first line.
    pub comments: BTreeMap<usize, Vec<String>>,
}

/// The parse-time checks of `source`. `parse_error_line` is the first line of the instruction
/// that failed to parse (`dockerfile::parse`'s error), if one did: rules of later instructions
/// and the whole-file rules are not run then.
pub fn syntax_checks(source: &str, parse_error_line: Option<usize>) -> SyntaxChecks {
    let Ok(parsed) = parse_nodes(source) else {
        return SyntaxChecks::default();
    };
    let mut out = SyntaxChecks::default();
    for n in &parsed.nodes {
        out.comments.insert(n.span.start, n.comments.clone());
    }
    for w in parsed
        .warnings
        .iter()
        .filter(|w| w.rule == Rule::NoEmptyContinuation.name())
    {
        out.findings.push(Finding::new(
            Rule::NoEmptyContinuation,
            message::no_empty_continuation(),
            Some(w.span),
            Scope::Build,
        ));
    }
    for node in &parsed.nodes {
        let parsed_ok = match parse_error_line {
            None => true,
            Some(l) if node.span.start < l => true,
            Some(l) if node.span.start == l => false,
            Some(_) => break,
        };
        node_findings(node, parsed_ok, &mut out.findings);
    }
    if parse_error_line.is_none() {
        stage_name_findings(&parsed.nodes, &mut out.findings);
        casing_findings(&parsed.nodes, &mut out.findings);
    }
    out
}

/// The keyword of an instruction as written (`cmd.Name()`): the first word of its text.
pub fn keyword(original: &str) -> &str {
    let t = original.trim();
    t.split(['\t', '\u{b}', '\u{c}', '\r', ' '])
        .next()
        .unwrap_or(t)
}

/// The rules `ParseInstructionWithLinter` runs on one node (`parsed`: it parsed, so the rules
/// after its parse run too).
fn node_findings(node: &Node, parsed: bool, out: &mut Vec<Finding>) {
    let scope = Scope::Node(node.span.start);
    let at = Some(node.span);
    match node.keyword.to_ascii_lowercase().as_str() {
        "maintainer" => out.push(Finding::new(
            Rule::MaintainerDeprecated,
            message::maintainer_deprecated(),
            at,
            scope,
        )),
        "from" => {
            let args = &node.args;
            if let [_, _, name] = args.as_slice() {
                if *name != name.to_lowercase() {
                    out.push(Finding::new(
                        Rule::StageNameCasing,
                        message::stage_name_casing(name),
                        at,
                        scope,
                    ));
                }
            }
            if let Some(as_kw) = mismatched_as(&node.keyword, args) {
                out.push(Finding::new(
                    Rule::FromAsCasing,
                    message::from_as_casing(&node.keyword, as_kw),
                    at,
                    scope,
                ));
            }
            let name = match args.as_slice() {
                [_, as_kw, name] if as_kw.eq_ignore_ascii_case("as") => name.to_lowercase(),
                _ => String::new(),
            };
            if parsed && !name.is_empty() {
                definition_description("FROM", &[name], node, out);
            }
        }
        "arg" if parsed => {
            let keys: Vec<String> = node
                .args
                .iter()
                .map(|a| a.split_once('=').map_or(a.as_str(), |(k, _)| k).to_string())
                .collect();
            definition_description("ARG", &keys, node, out);
        }
        _ => {}
    }
}

/// `doesFromCaseMatchAsCase`: the `AS` word when its case differs from a self-consistent
/// `FROM`.
fn mismatched_as<'a>(from: &str, args: &'a [String]) -> Option<&'a str> {
    let as_kw = args.get(1).filter(|_| args.len() >= 3)?;
    let lower = from == from.to_lowercase();
    let upper = from == from.to_uppercase();
    if !lower && !upper {
        return None;
    }
    let ok = if lower {
        *as_kw == as_kw.to_lowercase()
    } else {
        *as_kw == as_kw.to_uppercase()
    };
    (!ok).then_some(as_kw.as_str())
}

/// `validateDefinitionDescription`: the last comment above must start with one of the names.
fn definition_description(instruction: &str, keys: &[String], node: &Node, out: &mut Vec<Finding>) {
    let (Some(last), Some(first_key)) = (node.comments.last(), keys.first()) else {
        return;
    };
    let word = last.split(' ').next().unwrap_or("");
    if keys.iter().any(|k| k == word) {
        return;
    }
    let example = if keys.len() > 1 {
        "<arg_key>"
    } else {
        first_key.as_str()
    };
    out.push(Finding::new(
        Rule::InvalidDefinitionDescription,
        message::invalid_definition_description(instruction, example),
        Some(node.span),
        Scope::Node(node.span.start),
    ));
}

/// The FROM nodes and their stage names (lower-cased, empty when unnamed).
fn stages(nodes: &[Node]) -> impl Iterator<Item = (&Node, String)> {
    nodes
        .iter()
        .filter(|n| n.keyword.eq_ignore_ascii_case("from"))
        .map(|n| {
            let name = match n.args.as_slice() {
                [_, as_kw, name] if as_kw.eq_ignore_ascii_case("as") => name.to_lowercase(),
                _ => String::new(),
            };
            (n, name)
        })
}

/// `validateStageNames`.
fn stage_name_findings(nodes: &[Node], out: &mut Vec<Finding>) {
    let mut seen: Vec<String> = Vec::new();
    for (node, name) in stages(nodes) {
        if name.is_empty() {
            continue;
        }
        if name == "context" || name == "scratch" {
            out.push(Finding::new(
                Rule::ReservedStageName,
                message::reserved_stage_name(&name),
                Some(node.span),
                Scope::Build,
            ));
        }
        if seen.contains(&name) {
            out.push(Finding::new(
                Rule::DuplicateStageName,
                message::duplicate_stage_name(&name),
                Some(node.span),
                Scope::Build,
            ));
        }
        seen.push(name);
    }
}

/// `validateCommandCasing`: FROMs and the instructions of stages (not the global ARGs), each
/// against the majority case of the self-consistent ones (a tie counts as upper case).
fn casing_findings(nodes: &[Node], out: &mut Vec<Finding>) {
    let Some(first_from) = nodes
        .iter()
        .position(|n| n.keyword.eq_ignore_ascii_case("from"))
    else {
        return;
    };
    let in_stages = &nodes[first_from..];
    let (mut lower, mut upper) = (0usize, 0usize);
    for n in in_stages {
        let k = n.keyword.as_str();
        if k == k.to_lowercase() {
            lower += 1;
        } else if k == k.to_uppercase() {
            upper += 1;
        }
    }
    let majority_lower = lower > upper;
    for n in in_stages {
        let k = n.keyword.as_str();
        let casing = if majority_lower && k != k.to_lowercase() {
            "lowercase"
        } else if !majority_lower && k != k.to_uppercase() {
            "uppercase"
        } else {
            continue;
        };
        out.push(Finding::new(
            Rule::ConsistentInstructionCasing,
            message::consistent_instruction_casing(k, casing),
            Some(n.span),
            Scope::Build,
        ));
    }
}
