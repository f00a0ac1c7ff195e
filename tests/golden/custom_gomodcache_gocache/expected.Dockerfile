# Both caches moved by ENV.
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
ENV GOMODCACHE=/cache/mod \
    GOCACHE=/cache/build
WORKDIR /src
COPY go.mod go.sum /src/
RUN --mount=type=cache,target=/cache/mod,sharing=shared --mount=type=cache,target=/cache/build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront go mod download
COPY . .
RUN --mount=type=cache,target=/cache/mod,sharing=shared --mount=type=cache,target=/cache/build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront CGO_ENABLED=0 go build -o /out/app .

FROM scratch
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
