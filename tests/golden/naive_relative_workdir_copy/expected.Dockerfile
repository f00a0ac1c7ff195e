FROM golang:1.22 AS build
WORKDIR /go/src/app
COPY go.mod go.sum /go/src/app/
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared go mod download
COPY . ./
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared go mod download && go build -v -o /usr/local/bin/app ./...

FROM debian:bookworm-slim
COPY --from=build /usr/local/bin/app /usr/local/bin/app
CMD ["app"]
