# Issue 8 (3): the root module is not in go.work, but the packages named are (cmd/app/main.go
# is in member ./cmd/app), and `go env -w` / `go version` load no module: no error.
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go env -w GOFLAGS=-buildvcs=false && go version
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront CGO_ENABLED=0 go build -o /out/app cmd/app/main.go

FROM scratch
COPY --from=build /out/app /app
