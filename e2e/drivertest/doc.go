// Package drivertest holds the end-to-end tests of the driver's public API
// (package boltrx): drivers against the scripted stub server
// (e2e/boltstub), which checks every byte they send, and against the
// simulated cluster (e2e/cluster). They live in the e2e module so that the
// driver's module requires none of its test servers. The package has no
// code of its own.
package drivertest
