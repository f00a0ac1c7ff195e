# Issue 8 (4): a toolbox/test image: the final stage is the Go toolchain with the modules
# downloaded, and go runs later (compose, CI). The modules and build cache stay in the image.
FROM golang:1.22
WORKDIR /src
COPY go.mod go.sum /src/
RUN --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront go mod download
COPY . .
RUN --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront go mod download
RUN --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=tmpfs,target=/run/gofront go vet ./...
