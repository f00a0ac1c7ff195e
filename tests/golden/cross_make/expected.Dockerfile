# go runs through make: gofront cannot see its cgo setting or outputs. Not cross-compiled.
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront make build

FROM scratch
COPY --from=build /src/bin/app /app
ENTRYPOINT ["/app"]
