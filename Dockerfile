# vigie as a container for CI jobs: the scanner alone (no `vigie serve`), on a distroless base
# (no shell, no package manager), run as a non-root user, writing nothing but the reports asked
# for, so it runs with a read-only root filesystem.
#   docker build -t vigie .
#   docker run --rm --read-only -v "$PWD:/src:ro" vigie scan /src
# Base images are pinned by digest; refresh them with `docker buildx imagetools inspect IMAGE:TAG`.
FROM rust:1.95-bookworm@sha256:6258907abe69656e41cd992e0b705cdcfabcbbe3db374f92ed2d47121282d4a1 AS build
WORKDIR /build
COPY . .
RUN cargo build --release --locked -p vigie --no-default-features \
    && cp target/release/vigie /vigie

# vigie:ignore CNT-10.3 a one-shot command line tool: no long-running service to probe
FROM gcr.io/distroless/cc-debian12:nonroot@sha256:9dac0a79194e45a7da0158a9c6da57b217585af0786db3845d1f0ec1a0dd182f
COPY --from=build /vigie /usr/local/bin/vigie
USER 65532:65532
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/vigie"]
CMD ["scan", "/src"]
