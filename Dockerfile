# Builds the gofront frontend image from source (needs internet for the rust image and crates.io).
# Offline, with a host Rust toolchain: scripts/frontend-image.sh [TAG] builds the same image.
#   docker buildx build -t gofront:dev .
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    triple="$(uname -m)-unknown-linux-gnu" && \
    RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --target "$triple" --bin gofront && \
    cp "target/$triple/release/gofront" /gofront

FROM scratch
ARG FRONTEND_CAPS=moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts
COPY --from=build /gofront /bin/gofront
LABEL moby.buildkit.frontend.network.none="true" \
      moby.buildkit.frontend.caps="${FRONTEND_CAPS}"
ENTRYPOINT ["/bin/gofront"]
