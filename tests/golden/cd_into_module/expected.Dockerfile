# The module sits in a subdirectory and the RUN changes into it with cd.
FROM golang:1.22 AS build
WORKDIR /src
COPY app/go.mod app/go.sum /src/app/
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared cd /src/app && go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared cd app && go mod download
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared cd app && CGO_ENABLED=0 go build -o /out/app .

FROM scratch
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
