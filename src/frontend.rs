//! THE pipeline, pure: Dockerfile bytes + build options + daemon facts + resolved images →
//! a plan (per-platform LLB and image config, diagnostics). Shared by the CLI and the gateway.
