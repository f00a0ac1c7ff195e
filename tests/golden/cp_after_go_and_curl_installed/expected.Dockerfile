# Issue 8 (6): installing curl is not a download, and a cp after the go command cannot change
# what it saw: the deps step applies.
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
RUN apt-get update && apt-get install -y --no-install-recommends curl git
WORKDIR /src
COPY go.mod go.sum /src/
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront CGO_ENABLED=0 go build -o /out/app . && cp /out/app /usr/local/bin/app

FROM scratch
COPY --from=build /out/app /app
