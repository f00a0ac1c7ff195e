# A builder image for other Dockerfiles: ONBUILD instructions are not rewritten.
FROM golang:1.22
WORKDIR /src
ONBUILD COPY . .
ONBUILD RUN go mod download
ONBUILD RUN CGO_ENABLED=0 go build -o /out/app .
