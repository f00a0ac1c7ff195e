# The final image is the Go stage itself; nothing reads the caches at runtime.
FROM golang:1.22
WORKDIR /app
COPY go.mod go.sum /app/
RUN --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront go mod download
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront go mod download
RUN --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront go build -o /usr/local/bin/app .
EXPOSE 8080
CMD ["app"]
