//! Typed Dockerfile → LLB + OCI image config, the way BuildKit's `dockerfile2llb` does it.
