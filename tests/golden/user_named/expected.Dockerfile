# Builds as a named user: its uid is not known before the build, so no cache mount can be owned by it.
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
RUN useradd -m builder && mkdir /src && chown builder /src
USER builder
WORKDIR /src
COPY --chown=builder go.mod go.sum /src/
RUN --mount=type=tmpfs,target=/run/gofront go mod download
COPY --chown=builder . .
RUN --mount=type=tmpfs,target=/run/gofront go mod download
RUN --mount=type=tmpfs,target=/run/gofront CGO_ENABLED=0 go build -o /src/app .

FROM scratch
COPY --from=build /src/app /app
ENTRYPOINT ["/app"]
