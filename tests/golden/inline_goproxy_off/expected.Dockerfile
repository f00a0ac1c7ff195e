# Issue 8 (8): an inline GOPROXY=off on the go command wins over the build arg: the build arg
# is not passed to that RUN and the summary does not claim it.
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront GOPROXY=off GOFLAGS=-mod=mod go build -o /out/app .
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront go vet ./...

FROM scratch
COPY --from=build /out/app /app
