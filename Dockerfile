# Build: docker build --build-arg VERSION=1.4.0 --build-arg REVISION=$(git rev-parse HEAD) -t leadline .
# Run:   docker run --env-file leadline.env -v /etc/leadline:/config:ro -p 8080:8080 leadline
#        (serve --config /config/program.yaml by default; any other command works too:
#         docker run leadline leadline check --config /config/program.yaml)
FROM golang:1.26-bookworm AS build
ARG VERSION=""
ARG REVISION=""
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath \
    -ldflags="-s -w -X main.version=${VERSION} -X main.revision=${REVISION}" \
    -o /out/leadline ./cmd/leadline

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/leadline /usr/local/bin/leadline
USER nonroot:nonroot
EXPOSE 8080 9090
CMD ["/usr/local/bin/leadline", "serve", "--config", "/config/program.yaml"]
