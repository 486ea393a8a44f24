// Package actors holds boltrx's actor topology on protoactor-go: the
// connections (a socket and the client-side server-state machine; the
// goroutine that waits for an answer reads it itself, and a background
// reader runs only while answers come that nobody waits for, handing
// records over in runs), the pool per server address with a
// lock-protected fast path for idle connections, and the actors that own
// their lifecycles: a connection's actor RESETs it before reuse and closes
// it; a pool's actor supervises its connections' actors and stops them
// when the driver closes. protoactor's own logs go through the driver's
// slog logger, silent unless configured.
//
// Actors coordinate; bytes and records never pass a mailbox: the session
// that leased a connection writes on it directly.
package actors
