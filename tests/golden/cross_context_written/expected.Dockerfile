# A file downloaded into the source tree is copied out: not known to be the same per platform.
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN curl -fsSL -o /src/bin/probe https://example.com/probe
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront CGO_ENABLED=0 go build -o /out/app .

FROM scratch
COPY --from=build /out/app /app
COPY --from=build /src/bin/probe /probe
ENTRYPOINT ["/app"]
