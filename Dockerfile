# Build: docker build -t leadline .
# Run:   docker run --env-file leadline.env -v /etc/leadline:/config:ro -p 8080:8080 leadline --config /config/program.yaml
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/leadline ./cmd/leadline

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/leadline /usr/local/bin/leadline
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/leadline", "serve"]
