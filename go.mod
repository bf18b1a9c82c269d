module github.com/rspcheck/rspcheck

go 1.26

require (
	github.com/beevik/etree v1.8.1 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/lestrrat-go/libxml2 v0.0.0-20260709020957-3f0f7bd60b63 // indirect
	github.com/pkg/errors v0.9.1 // indirect
)
