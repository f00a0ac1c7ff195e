# A later stage copies the module cache out of the build stage: it must stay in that stage's layers.
FROM golang:1.22 AS build
WORKDIR /src
COPY go.mod go.sum /src/
RUN --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront go mod download
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront go mod download
RUN --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront CGO_ENABLED=0 go build -o /out/app .

FROM golang:1.22 AS dev
COPY --from=build /go/pkg/mod /go/pkg/mod
COPY --from=build /out/app /usr/local/bin/app
CMD ["app"]
