# Only the test stage is built (--target test); it has its own go RUNs.
FROM golang:1.22 AS base
WORKDIR /src
COPY . .

FROM base AS test
RUN --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront go test ./...

FROM base AS build
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront CGO_ENABLED=0 go build -o /out/app .

FROM scratch
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
