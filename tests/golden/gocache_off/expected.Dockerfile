# GOCACHE=off: no build cache to mount (Go refuses to build with it off, but that is the user's call).
FROM golang:1.22 AS build
ENV GOCACHE=off
WORKDIR /src
COPY go.mod go.sum /src/
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront go vet ./...

FROM scratch
COPY --from=build /src/go.mod /go.mod
