# Issue 8 (1): `COPY go.mod go.sum .` copies into the WORKDIR, as BuildKit does.
FROM golang:1.22 AS build
WORKDIR /app
COPY go.mod go.sum .
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared CGO_ENABLED=0 go build -o /out/app .

FROM scratch
COPY --from=build /out/app /app
