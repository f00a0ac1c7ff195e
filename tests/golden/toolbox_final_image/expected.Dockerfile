# Issue 8 (4): a toolbox/test image: the final stage is the Go toolchain with the modules
# downloaded, and go runs later (compose, CI). The modules and build cache stay in the image.
FROM golang:1.22
WORKDIR /src
COPY go.mod go.sum /src/
RUN go mod download
COPY . .
RUN go mod download
RUN go vet ./...
