# A test stage built from the build stage (docker build --target test).
FROM golang:1.22 AS build
WORKDIR /src
COPY go.mod go.sum /src/
RUN go mod download
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build,sharing=shared go mod download
RUN --mount=type=cache,target=/root/.cache/go-build,sharing=shared CGO_ENABLED=0 go build -o /out/app .

FROM build AS test
RUN --mount=type=cache,target=/root/.cache/go-build,sharing=shared go test -v ./...

FROM scratch AS release
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
