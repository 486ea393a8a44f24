// Package boltstub is a scripted Bolt server for end-to-end tests of the
// driver.
//
// A script is the conversation between driver and server, written as the
// messages the client must send ("C: RUN ...") and those the server answers
// ("S: SUCCESS ..."), with wildcards for what varies, blocks for optional,
// repeated and alternative parts, messages allowed at any time, and
// settings for the Bolt versions and the handshake. The server checks every
// byte the driver sends against the script; a deviation is recorded with the
// script line, the expected and the received message in script syntax.
// README.md in this directory describes the script language.
//
// In a test:
//
//	srv := boltstub.Start(t, `
//		bolt 5.4
//		C: HELLO {"user_agent": any string, ...}
//		S: SUCCESS {"server": "Neo4j/5.26.0"}
//	`)
//	// dial srv.Addr() ...
//
// Start stops the server when the test ends and reports every failure
// with t.Errorf. Elsewhere, Parse and Listen do the same without testing.T.
//
// The server speaks the wire through package bolt (handshake, chunking) and
// package packstream (values), so it checks the driver with the definitions
// the driver is built from; messages are handled generically (a tag and a
// list of fields), so the stub can send and expect anything, including what
// no correct peer would.
package boltstub
