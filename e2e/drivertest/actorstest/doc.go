// Package actorstest holds the tests of package actors that need a Bolt
// server of the e2e module (the scripted stub server): connections,
// re-authentication and the connections' telemetry. The pool's own tests,
// which need no e2e server, stay beside the pool in package actors. The
// package has no code of its own.
package actorstest
