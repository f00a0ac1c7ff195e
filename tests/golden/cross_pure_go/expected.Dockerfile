# A pure-Go build stage (CGO_ENABLED=0) and a distroless runtime: the build stage runs on the
# build platform and its go commands compile for the target; the runtime stage copies only the
# program, a tool go install built, and arch-independent data.
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
WORKDIR /src
COPY go.mod go.sum /src/
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront go mod download
COPY . .
ENV CGO_ENABLED=0
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront go build -o /out/app . && go install ./cmd/migrate

FROM gcr.io/distroless/static-debian12
COPY --from=build /out/app /app
COPY --from=build /go/bin/migrate /migrate
COPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo
COPY --from=build /src/config/ /config/
ENTRYPOINT ["/app"]
