# Issue 8 (10): -mod=vendor in a module that requires modules, with no vendor/modules.txt in
# the context: `go build` certainly stops with "inconsistent vendoring".
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront CGO_ENABLED=0 go build -mod=vendor -o /out/app .

FROM scratch
COPY --from=build /out/app /app
