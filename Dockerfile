# Multi-stage build: a static binary on a small base, run as a non-root user,
# with the database on a volume.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/rapport ./cmd/rapport \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/rapport /usr/local/bin/rapport
# distroless has no shell to mkdir: bring an empty /data owned by the runtime user.
COPY --from=build --chown=65532:65532 /out/data /data
# bbolt file lives on a volume; the nonroot user (65532) owns it.
VOLUME ["/data"]
ENV RAPPORT_DB=/data/rapport.db
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/rapport"]
CMD ["run"]
