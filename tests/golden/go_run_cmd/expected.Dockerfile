# The image runs `go run` at runtime: the module cache must stay in the image.
FROM golang:1.22
WORKDIR /app
COPY go.mod go.sum /app/
RUN go mod download
COPY . .
RUN go mod download
CMD ["go", "run", "."]
