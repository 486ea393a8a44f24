package boltrx

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when a goroutine outlives them. The
// tests that run drivers against the e2e module's servers are in
// e2e/drivertest.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var defaultRecord = map[string]any{"OPERATION": "", "OPERATION_CODE": "0", "CURRENT_SCHEMA": "/"}
