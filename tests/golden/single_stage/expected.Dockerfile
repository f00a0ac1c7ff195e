# The final image is the Go stage itself; nothing reads the caches at runtime.
FROM golang:1.22
WORKDIR /app
COPY go.mod go.sum /app/
RUN go mod download
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build,sharing=shared go mod download
RUN --mount=type=cache,target=/root/.cache/go-build,sharing=shared go build -o /usr/local/bin/app .
EXPOSE 8080
CMD ["app"]
