# Issue 8 (9): a Go stage (by its base image) whose go runs only through make: the Go settings
# and both cache mounts reach `make build`, and the summary says why there is no deps step.
FROM golang:1.22 AS build
RUN apt-get update && apt-get install -y --no-install-recommends make
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront make build

FROM scratch
COPY --from=build /src/bin/app /app
