//! Base-image resolution over the bridge, as Go's gateway client does it: `ResolveSourceMeta`
//! when the daemon has it (source policies may rewrite the reference), `ResolveImageConfig`
//! otherwise; `oci-layout://` named contexts resolve from the client's store.
//!
//! Not for: deciding which images a build needs (the pipeline asks).

use std::collections::BTreeMap;

use crate::frontend::{resolve_log_name, FrontendError, ImageRequest, ResolvedImage};
use crate::llb::{pb, pb_platform};
use crate::options::{BuildOptions, ImageResolveMode};

use super::{gw, Bridge, Session};

impl<B: Bridge> Session<'_, B> {
    pub(super) async fn resolve(
        &mut self,
        request: &ImageRequest,
        options: &BuildOptions,
    ) -> Result<ResolvedImage, FrontendError> {
        let platform = pb_platform(&request.platform);
        let log_name = resolve_log_name(options, request);
        let mode = match options.image_resolve_mode {
            ImageResolveMode::Default => String::new(),
            other => other.as_str().to_string(),
        };
        let err = |s: tonic::Status| FrontendError::Resolve {
            reference: request.reference.clone(),
            message: s.message().to_string(),
        };
        // Go's grpcclient: an OCI layout resolves through the client's store, no resolve mode.
        let (scheme, attrs, mode) = match &request.oci_store {
            Some(store) => {
                let attrs = BTreeMap::from([
                    ("oci.session".to_string(), self.daemon.session_id.clone()),
                    ("oci.store".to_string(), store.clone()),
                ]);
                ("oci-layout://", attrs, String::new())
            }
            None => ("docker-image://", BTreeMap::new(), mode),
        };
        if self.gw_caps.has("source.metaresolver") {
            let response = self
                .bridge
                .resolve_source_meta(gw::ResolveSourceMetaRequest {
                    source: Some(pb::SourceOp {
                        identifier: format!("{scheme}{}", request.reference),
                        attrs,
                    }),
                    platform: Some(platform),
                    log_name,
                    resolve_mode: mode,
                    ..Default::default()
                })
                .await
                .map_err(err)?;
            let Some(image) = response.image else {
                let updated = response.source.map(|s| s.identifier).unwrap_or_default();
                return Err(FrontendError::Resolve {
                    reference: request.reference.clone(),
                    message: format!("source policy turned the image into {updated:?}, which gofront cannot use as a base image"),
                });
            };
            let reference = response
                .source
                .map(|s| s.identifier)
                .and_then(|id| id.strip_prefix(scheme).map(str::to_string))
                .unwrap_or_else(|| request.reference.clone());
            return Ok(ResolvedImage {
                reference,
                digest: Some(image.digest).filter(|d| !d.is_empty()),
                config: image.config,
            });
        }
        let response = self
            .bridge
            .resolve_image_config(gw::ResolveImageConfigRequest {
                r#ref: request.reference.clone(),
                platform: Some(platform),
                resolve_mode: mode,
                log_name,
                resolver_type: i32::from(request.oci_store.is_some()),
                store_id: request.oci_store.clone().unwrap_or_default(),
                session_id: if request.oci_store.is_some() {
                    self.daemon.session_id.clone()
                } else {
                    String::new()
                },
                ..Default::default()
            })
            .await
            .map_err(err)?;
        Ok(ResolvedImage {
            reference: Some(response.r#ref)
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| request.reference.clone()),
            digest: Some(response.digest).filter(|d| !d.is_empty()),
            config: response.config,
        })
    }
}
