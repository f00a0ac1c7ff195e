# Only the test stage is built (--target test); it has its own go RUNs.
FROM golang:1.22 AS base
WORKDIR /src
COPY . .

FROM base AS test
RUN go test ./...

FROM base AS build
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared CGO_ENABLED=0 go build -o /out/app .

FROM scratch
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
