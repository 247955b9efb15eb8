# syntax=docker/dockerfile:1
# The translator binary (CLI and controller) on a distroless base:
#   docker build -t meshbridge/translator:dev --build-arg VERSION=dev .
# Multi-platform: docker buildx build --platform linux/amd64,linux/arm64 … (Go cross-compiles;
# the build stage runs on the build machine's platform).

FROM --platform=$BUILDPLATFORM golang:1.26 AS build
WORKDIR /src
# Dependencies first, so that a source change does not download modules again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG TARGETOS=linux
ARG TARGETARCH
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/translator ./cmd/translator

# Static binary, no shell, no package manager; runs as the distroless nonroot user (65532),
# which config/manager/deployment.yaml also sets.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/translator /translator
USER 65532:65532
ENTRYPOINT ["/translator"]
