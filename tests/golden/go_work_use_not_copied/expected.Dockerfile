# Issue 8 (10): go.work uses ./lib, but only ./svc is copied: the go command stops with
# "cannot load module ... listed in go.work file".
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
WORKDIR /w
COPY go.work ./
COPY go.work /w/
COPY lib/go.mod /w/lib/
COPY svc/go.mod /w/svc/
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront go mod download
COPY svc svc
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront CGO_ENABLED=0 go build -o /out/svc ./svc

FROM scratch
COPY --from=build /out/svc /svc
