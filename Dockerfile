FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release -p contacts-server

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/contacts-server /usr/local/bin/contacts-server
EXPOSE 8080
# Without DATABASE_URL the embedded SQLite store keeps its file here: mount a volume on it.
ENV DATA_DIR=/var/lib/contacts
VOLUME /var/lib/contacts
ENTRYPOINT ["contacts-server"]
CMD ["serve"]
