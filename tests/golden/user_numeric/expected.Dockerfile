# Builds as a numeric non-root user with its own HOME: cache mounts need uid/gid.
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
ENV HOME=/home/builder
RUN mkdir -p /home/builder /src && chown 10001:10001 /home/builder /src
USER 10001:10001
WORKDIR /src
COPY --chown=10001:10001 go.mod go.sum /src/
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared,uid=10001,gid=10001 --mount=type=ssh,uid=10001,gid=10001 --mount=type=secret,id=netrc,target=/home/builder/.netrc,uid=10001,gid=10001 --mount=type=secret,id=known_hosts,uid=10001,gid=10001 --mount=type=secret,id=ca,uid=10001,gid=10001 --mount=type=tmpfs,target=/run/gofront go mod download
COPY --chown=10001:10001 . .
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared,uid=10001,gid=10001 --mount=type=cache,target=/home/builder/.cache/go-build,sharing=shared,uid=10001,gid=10001 --mount=type=ssh,uid=10001,gid=10001 --mount=type=secret,id=netrc,target=/home/builder/.netrc,uid=10001,gid=10001 --mount=type=secret,id=known_hosts,uid=10001,gid=10001 --mount=type=secret,id=ca,uid=10001,gid=10001 --mount=type=tmpfs,target=/run/gofront go mod download
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared,uid=10001,gid=10001 --mount=type=cache,target=/home/builder/.cache/go-build,sharing=shared,uid=10001,gid=10001 --mount=type=ssh,uid=10001,gid=10001 --mount=type=secret,id=netrc,target=/home/builder/.netrc,uid=10001,gid=10001 --mount=type=secret,id=known_hosts,uid=10001,gid=10001 --mount=type=secret,id=ca,uid=10001,gid=10001 --mount=type=tmpfs,target=/run/gofront CGO_ENABLED=0 go build -o /src/app .

FROM scratch
COPY --from=build /src/app /app
USER 10001
ENTRYPOINT ["/app"]
