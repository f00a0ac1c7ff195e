//! The only module that knows BuildKit's gRPC: stdio transport, options from
//! `BUILDKIT_FRONTEND_OPT_*`, Ping/caps, reading the Dockerfile, image resolution, Solve, Return.
