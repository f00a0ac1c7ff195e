# The Dockerfile's own ENV wins over a build arg of the same name.
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
ENV GOPRIVATE=example.com/private GOSUMDB=sum.golang.org
WORKDIR /src
COPY go.mod go.sum /src/
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=secret,id=GIT_AUTH_TOKEN --mount=type=secret,id=GIT_AUTH_TOKEN.example.com --mount=type=tmpfs,target=/run/gofront go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=secret,id=GIT_AUTH_TOKEN --mount=type=secret,id=GIT_AUTH_TOKEN.example.com --mount=type=tmpfs,target=/run/gofront go mod download
RUN --mount=type=cache,target=/go/pkg/mod,sharing=shared --mount=type=cache,target=/root/.cache/go-build,sharing=shared --mount=type=ssh --mount=type=secret,id=netrc,target=/root/.netrc --mount=type=secret,id=known_hosts --mount=type=secret,id=ca --mount=type=secret,id=GIT_AUTH_TOKEN --mount=type=secret,id=GIT_AUTH_TOKEN.example.com --mount=type=tmpfs,target=/run/gofront CGO_ENABLED=0 go build -o /out/app .

FROM scratch
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
