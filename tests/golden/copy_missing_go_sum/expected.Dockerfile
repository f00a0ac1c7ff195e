# Issue 8 (10): COPY of a go.sum the context does not have: the stock build stops at that COPY.
FROM golang:1.22 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared CGO_ENABLED=0 go build -o /out/app .

FROM scratch
COPY --from=build /out/app /app
