# go.work monorepo built from the root.
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
WORKDIR /src
COPY go.work /src/
COPY libs/shared/go.mod libs/shared/go.sum /src/libs/shared/
COPY services/api/go.mod services/api/go.sum /src/services/api/
COPY services/worker/go.mod /src/services/worker/
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront go mod download
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront CGO_ENABLED=0 go build -o /out/api ./services/api && \
    CGO_ENABLED=0 go build -o /out/worker ./services/worker

FROM scratch
COPY --from=build /out/api /out/worker /
ENTRYPOINT ["/api"]
