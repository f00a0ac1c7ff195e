//! `input:` named contexts (`--build-context name=input:...` from a client such as bake): the
//! frontend input's Definition imported op by op into the build graph, and the image config
//! carried by its `input-metadata:` option.
//!
//! Not for: fetching the inputs (the gateway asks `Inputs`) or other named-context kinds.

use std::collections::BTreeMap;

use prost::Message as _;

use crate::llb::{pb, Graph, OpMeta, Output};

/// Adds every op of `def` (a frontend input) to `graph`, input digests remapped to the ops as
/// this graph encodes them, names and descriptions kept. Returns the definition's result
/// (`None` = scratch).
pub fn import_definition(
    graph: &mut Graph,
    def: &pb::Definition,
) -> Result<Option<Output>, String> {
    let mut renamed: BTreeMap<String, String> = BTreeMap::new();
    let mut result = None;
    for bytes in &def.def {
        let old = crate::llb::Digest::of(bytes).to_string();
        let mut op = pb::Op::decode(bytes.as_slice())
            .map_err(|e| format!("invalid input definition: {e}"))?;
        for input in &mut op.inputs {
            if let Some(new) = renamed.get(&input.digest) {
                input.digest = new.clone();
            }
        }
        if op.op.is_none() {
            // The terminal op: its one input is the result.
            result = match op.inputs.first() {
                Some(i) => Some(Output::new(
                    crate::llb::Digest::parse(&i.digest).map_err(|e| e.to_string())?,
                    i.index,
                )),
                None => None,
            };
            continue;
        }
        let mut meta = OpMeta::default();
        if let Some(md) = def.metadata.get(&old) {
            meta.description = md.description.clone();
            meta.custom_name = meta.description.remove("llb.customname");
            meta.ignore_cache = md.ignore_cache;
        }
        let new = graph.add(op, meta).map_err(|e| e.to_string())?;
        renamed.insert(old, new.to_string());
    }
    Ok(result)
}

/// The image config of an `input:` context from its `input-metadata:` value (a JSON object of
/// base64 values), if it carries `containerimage.config`.
pub fn input_image_config(metadata: &str) -> Result<Option<Vec<u8>>, String> {
    use base64::Engine as _;
    let parsed: BTreeMap<String, String> = serde_json::from_str(metadata)
        .map_err(|e| format!("failed to parse input metadata {metadata}: {e}"))?;
    parsed
        .get("containerimage.config")
        .map(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b)
                .map_err(|e| format!("failed to parse input metadata {metadata}: {e}"))
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerui::remote::RemoteContext;
    use crate::llb::Caps;
    use crate::options::BuildOptions;

    fn http_context() -> RemoteContext {
        RemoteContext::detect(&BuildOptions {
            remote_context: Some("http://h/c.tgz".to_string()),
            ..BuildOptions::default()
        })
        .unwrap()
    }

    #[test]
    fn imported_input_keeps_its_ops_names_and_result() {
        let remote = http_context();
        let original = remote.definition(&Caps::v0_13_defaults(), true).unwrap();
        let mut graph = Graph::new(Caps::v0_13_defaults());
        let out = import_definition(&mut graph, &original).unwrap().unwrap();
        let again = graph.definition(Some(&out), None).unwrap();
        assert_eq!(again.def, original.def, "same ops, same digests");
        let first = crate::llb::Digest::of(&again.def[0]).to_string();
        assert_eq!(
            again.metadata[&first].description["llb.customname"],
            "[internal] load remote build context"
        );
        let empty = pb::Definition::default();
        assert_eq!(import_definition(&mut graph, &empty).unwrap(), None);
        let garbage = pb::Definition {
            def: vec![vec![0xff, 0xff]],
            ..Default::default()
        };
        assert!(import_definition(&mut graph, &garbage).is_err());
    }

    #[test]
    fn input_metadata_gives_the_image_config() {
        let cfg = r#"{"config":{"Env":["A=1"]}}"#;
        let b64 = {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode(cfg)
        };
        let md = format!(r#"{{"containerimage.config":"{b64}","other":""}}"#);
        assert_eq!(
            input_image_config(&md).unwrap(),
            Some(cfg.as_bytes().to_vec())
        );
        assert_eq!(input_image_config(r#"{"other":""}"#).unwrap(), None);
        assert!(input_image_config("not json").is_err());
    }
}
