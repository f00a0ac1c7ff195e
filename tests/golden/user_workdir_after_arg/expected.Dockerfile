# A non-root user's WORKDIR (created owned by that user) after an ARG: the build writes its
# output into the WORKDIR, so that directory must stay the user's.
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
USER 10001:10001
ENV HOME=/tmp/home
ARG VERSION=dev
WORKDIR /tmp/src
COPY go.mod go.sum /tmp/src/
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared,uid=10001,gid=10001 --mount=type=ssh,uid=10001,gid=10001 --mount=type=secret,id=netrc,target=/tmp/home/.netrc,uid=10001,gid=10001 --mount=type=secret,id=known_hosts,uid=10001,gid=10001 --mount=type=secret,id=ca,uid=10001,gid=10001 --mount=type=tmpfs,target=/run/gofront go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared,uid=10001,gid=10001 --mount=type=cache,target=/tmp/home/.cache/go-build,sharing=shared,uid=10001,gid=10001 --mount=type=ssh,uid=10001,gid=10001 --mount=type=secret,id=netrc,target=/tmp/home/.netrc,uid=10001,gid=10001 --mount=type=secret,id=known_hosts,uid=10001,gid=10001 --mount=type=secret,id=ca,uid=10001,gid=10001 --mount=type=tmpfs,target=/run/gofront CGO_ENABLED=0 go build -ldflags "-X main.version=${VERSION}" -o app .

FROM scratch
COPY --from=build /tmp/src/app /app
ENTRYPOINT ["/app"]
