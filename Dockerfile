# syntax=docker/dockerfile:1
#
# newsarc in a small image: a static binary (no cgo) on distroless, run as
# a non-root user, the archive in the /data volume.
#
#   docker build -t newsarc .
#   docker run -d -p 127.0.0.1:8080:8080 -v newsarc-data:/data \
#     -v "$PWD/newsarc.yaml:/config.yaml:ro" newsarc \
#     serve --schedule --config /config.yaml --addr 0.0.0.0:8080 --host localhost --host 127.0.0.1
#
# The image has no shell: probe /healthz and /readyz over HTTP (see the
# README), and run other commands in another container on the same volume:
# `docker run --rm -v newsarc-data:/data newsarc runs`.

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION} AS build
WORKDIR /src
# Modules first, so that the download is cached while only the source changes.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# The same line builds it without Docker (see the README).
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags="-s -w" -o /out/newsarc ./cmd/newsarc \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
# CA certificates and time zones come with the base image; nonroot is uid 65532.
COPY --from=build /out/newsarc /usr/local/bin/newsarc
COPY --from=build --chown=65532:65532 /out/data /data
ENV NEWSARC_DATA=/data
VOLUME ["/data"]
USER 65532:65532
WORKDIR /data
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/newsarc"]
CMD ["serve", "--addr", "0.0.0.0:8080"]
