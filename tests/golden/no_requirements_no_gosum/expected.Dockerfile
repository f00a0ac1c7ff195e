# A module without dependencies: no go.sum in the context.
FROM golang:1.22 AS build
WORKDIR /src
COPY go.mod /src/
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared go build -o /out/hello .

FROM scratch
COPY --from=build /out/hello /hello
ENTRYPOINT ["/hello"]
