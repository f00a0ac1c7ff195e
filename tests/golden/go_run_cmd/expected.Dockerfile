# The image runs `go run` at runtime: the module cache must stay in the image.
FROM golang:1.22
WORKDIR /app
COPY go.mod go.sum /app/
RUN --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront go mod download
COPY . .
RUN --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront go mod download
CMD ["go", "run", "."]
