//go:build tools

// Package tools pins modules the driver is built on before the code that
// imports them lands, so `go mod tidy` keeps them at the versions chosen.
// protoactor-go requires an old go.opentelemetry.io/otel/sdk/metric; it is
// required here at the same version as go.opentelemetry.io/otel.
package tools

import (
	_ "github.com/asynkron/protoactor-go/actor"
	_ "github.com/reactivex/rxgo/v2"
	_ "go.opentelemetry.io/otel"
	_ "go.opentelemetry.io/otel/sdk/metric"
	_ "go.opentelemetry.io/otel/sdk/trace"
	_ "go.uber.org/goleak"
)
