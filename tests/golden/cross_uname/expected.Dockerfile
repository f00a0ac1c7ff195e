# A download chosen by `uname -m`: the result depends on the machine. Not cross-compiled.
FROM golang:1.22 AS build
RUN curl -fsSL -o /usr/local/bin/grpc_health_probe "https://example.com/grpc_health_probe-linux-$(uname -m)"
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront CGO_ENABLED=0 go build -o /out/app .

FROM scratch
COPY --from=build /out/app /app
COPY --from=build /usr/local/bin/grpc_health_probe /bin/grpc_health_probe
ENTRYPOINT ["/app"]
