# Issue 8 (1): `COPY go.work .` copies into the WORKDIR; the workspace is found, no false error.
FROM golang:1.22 AS build
WORKDIR /w
COPY go.work .
COPY go.work /w/
COPY lib/go.mod /w/lib/
COPY svc/go.mod svc/go.sum /w/svc/
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront go mod download
COPY svc svc
COPY lib lib
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront go build -o /out/svc ./svc

FROM scratch
COPY --from=build /out/svc /svc
